using FleckChat.Chat.Names;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

[TestClass]
public sealed class NameGeneratorTests
{
    [TestMethod]
    public void Next_StartsAtUser0AndCounts()
    {
        var names = new NameGenerator();

        Assert.AreEqual("user0", names.Next());
        Assert.AreEqual("user1", names.Next());
        Assert.AreEqual("user2", names.Next());
    }

    [TestMethod]
    public async Task Next_FromManyThreads_NeverRepeats()
    {
        var names = new NameGenerator();
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 1000).Select(_ => names.Next()).ToArray()))).Bounded();

        var distinct = all.SelectMany(a => a).ToHashSet();
        Assert.HasCount(8000, distinct);
        Assert.Contains("user0", distinct);
        Assert.Contains("user7999", distinct);
    }
}
