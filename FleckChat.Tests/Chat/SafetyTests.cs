using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Chat.Safety;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>No forged lines, no terminal tricks.</summary>
[TestClass]
public sealed class SafetyTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { RateCount = 0 });

    public void Dispose() => _chat.Dispose();

    [TestMethod]
    [DataRow("hi\n[bob]: I owe you", "[alice]: hi", "[alice]: [bob]: I owe you")]
    [DataRow("hi\r\n* bob left", "[alice]: hi", "[alice]: * bob left")]
    [DataRow("hi\r! name taken", "[alice]: hi", "[alice]: ! name taken")]
    [DataRow("a\u2028You are connected! There are 9 users here.", "[alice]: a", "[alice]: You are connected! There are 9 users here.")]
    public void MultiLine_EachLineCarriesTheSendersPrefix(string message, string first, string second)
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");
        bob.Clear();

        alice.Say(message);

        CollectionAssert.AreEqual(new[] { first, second }, bob.Received.ToArray());
    }

    [TestMethod]
    public void MultiLineAction_EachLineIsAnAction()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("/me waves\n[bob]: fake");

        CollectionAssert.AreEqual(new[] { "* alice waves", "* alice [bob]: fake" }, alice.Received.TakeLast(2).ToArray());
    }

    [TestMethod]
    public void MultiLineWhisper_EachLineIsAWhisper()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        alice.Say("/w bob one\n[carol]: two");

        CollectionAssert.AreEqual(new[] { "[alice -> bob]: one", "[alice -> bob]: [carol]: two" }, bob.Received.TakeLast(2).ToArray());
    }

    [TestMethod]
    [DataRow("\u001b[2J\u001b[Hhello", "hello")]
    [DataRow("\u001b]0;pwned title\u0007hello", "hello")]
    [DataRow("\u001b]2;title\u001b\\hello", "hello")]
    [DataRow("red \u001b[31;1mtext\u001b[0m", "red text")]
    [DataRow("\u009b2Jhello", "hello")]
    [DataRow("bell\u0007 and nul\u0000 and del\u007f", "bell and nul and del")]
    [DataRow("tab\tkept", "tab\tkept")]
    [DataRow("\u001bcreset", "reset")]
    [DataRow("\u001b(0line drawing", "line drawing")]
    [DataRow("\u001bPdcs string\u001b\\after", "after")]
    [DataRow("ünïcödé ✓", "ünïcödé ✓")]
    public void Clean_RemovesEscapesAndControls(string raw, string clean) =>
        Assert.AreEqual(clean, TextSanitizer.Clean(raw));

    [TestMethod]
    public void Escapes_RemovedBeforeRelay()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("\u001b]0;owned\u0007\u001b[2Jhi");

        Assert.AreEqual("[alice]: hi", alice.Last);
    }

    [TestMethod]
    [DataRow("\u001b[2J")]
    [DataRow("   ")]
    [DataRow("\n\r\n")]
    [DataRow("\u0007\u0008")]
    public void EmptyAfterCleaning_NotRelayed(string message)
    {
        var alice = _chat.Join();
        alice.Clear();

        alice.Say(message);

        Assert.IsEmpty(alice.Received);
    }

    [TestMethod]
    public void Json_TextIsCleanedToo()
    {
        var json = _chat.JoinJson("/chat?name=amy");

        json.Say("""{"type":"message","text":"\u001b[31mred\nline2"}""");

        using var first = JsonDocument.Parse(json.Received[^2]);
        Assert.AreEqual("red", first.RootElement.GetProperty("text").GetString());
    }

    [TestMethod]
    public void QuitReason_Cleaned()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        alice.Say("/quit bye\u001b[2J");
        alice.Disconnect();

        Assert.AreEqual("* alice left: bye", bob.Last);
    }
}
