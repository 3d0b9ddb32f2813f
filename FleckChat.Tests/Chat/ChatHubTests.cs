using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>The seed behaviour, with fakes: greeting, names, relay to all, order, leave.</summary>
[TestClass]
public sealed class ChatHubTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { JoinNotices = false, RateLimit = RateLimit.Off, HistorySize = 0 });

    public void Dispose() => _chat.Dispose();

    [TestMethod]
    public void Join_FirstMember_GreetedWithCountOne()
    {
        var alice = _chat.Join();

        CollectionAssert.AreEqual(new[] { "You are connected! There are 1 users here." }, alice.Received.ToArray());
    }

    [TestMethod]
    public void Join_SecondMember_CountIncludesNewcomer()
    {
        _chat.Join();
        var bob = _chat.Join();

        Assert.AreEqual("You are connected! There are 2 users here.", bob.Received[0]);
        Assert.AreEqual(2, _chat.Chat.RoomCounts().Sum(r => r.Members));
    }

    [TestMethod]
    public void Relay_Text_ReachesEveryMemberIncludingSender()
    {
        var a = _chat.Join();
        var b = _chat.Join();
        var c = _chat.Join();

        a.Say("hello");

        foreach (var member in new[] { a, b, c })
        {
            Assert.AreEqual("[user0]: hello", member.Last);
        }
    }

    [TestMethod]
    public void Relay_SecondMember_UsesItsOwnName()
    {
        var a = _chat.Join();
        var b = _chat.Join();

        b.Say("hi");

        Assert.AreEqual("[user1]: hi", a.Last);
    }

    [TestMethod]
    public void Relay_Unicode_RoundTrips()
    {
        var a = _chat.Join();

        a.Say("grüße ✓ 👋");

        Assert.AreEqual("[user0]: grüße ✓ 👋", a.Last);
    }

    [TestMethod]
    public void Leave_ThenJoin_GreetingCountsOneFewer()
    {
        var a = _chat.Join();
        _chat.Join();
        a.Disconnect();

        var c = _chat.Join();

        Assert.AreEqual("You are connected! There are 2 users here.", c.Received[0]);
    }

    [TestMethod]
    public void Leave_Member_NoLongerReceives()
    {
        var a = _chat.Join();
        var b = _chat.Join();
        int before = b.Received.Count;
        b.Disconnect();

        a.Say("anyone?");

        Assert.HasCount(before, b.Received);
    }

    [TestMethod]
    public void Names_AfterLeave_AreNeverReused()
    {
        var a = _chat.Join();
        a.Disconnect();
        var b = _chat.Join();

        b.Say("x");

        Assert.AreEqual("[user1]: x", b.Last);
    }

    [TestMethod]
    public void Close_BeforeOpen_IsIgnored()
    {
        var ghost = new FakeConnection();
        _chat.Chat.Attach(ghost);
        ghost.Disconnect();

        var a = _chat.Join();

        Assert.AreEqual("You are connected! There are 1 users here.", a.Received[0]);
    }

    [TestMethod]
    public void Binary_IsNotRelayed()
    {
        var a = _chat.Join();
        var b = _chat.Join();
        int before = b.Received.Count;

        a.OnBinary([1, 2, 3]);

        Assert.HasCount(before, b.Received);
    }

    [TestMethod]
    public async Task Relay_ConcurrentSenders_EveryMemberSeesTheSameOrder()
    {
        var members = Enumerable.Range(0, 5).Select(_ => _chat.Join()).ToArray();
        var senders = members.Take(3).Select((m, i) => Task.Run(() =>
        {
            for (int n = 0; n < 500; n++)
            {
                m.Say($"{i}:{n}");
            }
        }));

        await Task.WhenAll(senders).Bounded();

        var reference = members[0].Received.Where(l => l.StartsWith('[')).ToArray();
        Assert.HasCount(1500, reference);
        foreach (var member in members)
        {
            CollectionAssert.AreEqual(reference, member.Received.Where(l => l.StartsWith('[')).ToArray());
        }
    }

    [TestMethod]
    public async Task Join_Concurrent_NamesAreDistinct()
    {
        var connections = Enumerable.Range(0, 200).Select(_ => new FakeConnection()).ToArray();
        foreach (var c in connections)
        {
            _chat.Chat.Attach(c);
        }

        await Task.WhenAll(connections.Select(c => Task.Run(c.Open))).Bounded();
        await Task.WhenAll(connections.Select(c => Task.Run(() => c.Say("me")))).Bounded();

        var names = connections[0].Received.Where(l => l.StartsWith('[')).Select(l => l[1..l.IndexOf(']', StringComparison.Ordinal)]).ToHashSet();
        Assert.HasCount(200, names);
        Assert.IsTrue(names.All(n => n.StartsWith("user", StringComparison.Ordinal)));
    }
}
