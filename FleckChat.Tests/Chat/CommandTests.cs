using FleckChat.Chat;
using FleckChat.Chat.Commands;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

[TestClass]
public sealed class CommandTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { RateLimit = RateLimit.Off });

    public void Dispose() => _chat.Dispose();

    [TestMethod]
    [DataRow("/whisper")]
    [DataRow("/w")]
    [DataRow("/msg")]
    public void Whisper_OnlyTargetAndSenderSeeIt(string command)
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");
        var carol = _chat.Join("/chat?name=carol");
        carol.Clear();

        alice.Say(command + " bob psst, a secret");

        Assert.AreEqual("[alice -> bob]: psst, a secret", alice.Last);
        Assert.AreEqual("[alice -> bob]: psst, a secret", bob.Last);
        Assert.IsEmpty(carol.Received);
    }

    [TestMethod]
    public void Whisper_TargetNameIgnoresCase()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=Bob");

        alice.Say("/w bOB hi");

        Assert.AreEqual("[alice -> Bob]: hi", bob.Last);
    }

    [TestMethod]
    public void Whisper_UnknownTarget_ErrorLine()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("/whisper nobody hello");

        Assert.AreEqual("! no one called nobody is connected", alice.Last);
    }

    [TestMethod]
    public void Whisper_NoText_Usage()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("/whisper bob");

        Assert.AreEqual("! usage: /whisper NAME text", alice.Last);
    }

    [TestMethod]
    public void Whisper_ReachesMemberInAnotherRoom()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat/dev?name=bob");

        alice.Say("/w bob across rooms");

        Assert.AreEqual("[alice -> bob]: across rooms", bob.Last);
    }

    [TestMethod]
    [DataRow("/who")]
    [DataRow("/names")]
    public void Who_ListsRoomMembersSorted(string command)
    {
        var carol = _chat.Join("/chat?name=carol");
        _chat.Join("/chat?name=Alice");
        _chat.Join("/chat/dev?name=bob");

        carol.Say(command);

        Assert.AreEqual("* members of lobby: Alice, carol", carol.Last);
    }

    [TestMethod]
    public void Me_ActionToTheRoom()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        alice.Say("/me waves");

        Assert.AreEqual("* alice waves", alice.Last);
        Assert.AreEqual("* alice waves", bob.Last);
    }

    [TestMethod]
    public void Rooms_ListsRoomsWithCounts()
    {
        var alice = _chat.Join("/chat?name=alice");
        _chat.Join("/chat/dev");
        _chat.Join("/chat/dev");

        alice.Say("/rooms");

        Assert.AreEqual("* rooms: dev (2), lobby (1)", alice.Last);
    }

    [TestMethod]
    public void Help_ListsEveryCommand()
    {
        var alice = _chat.Join();
        alice.Clear();

        alice.Say("/help");

        Assert.HasCount(HelpText.Lines.Length, alice.Received);
        foreach (var command in new[] { "/nick", "/whisper", "/w", "/msg", "/who", "/names", "/me", "/rooms", "/help", "/quit", "//" })
        {
            Assert.IsTrue(alice.Received.Any(l => l.Contains(command, StringComparison.Ordinal)), command);
        }

        Assert.IsTrue(alice.Received.All(l => l.StartsWith("* ", StringComparison.Ordinal)));
        Assert.IsTrue(alice.Received.Any(l => l.Contains("1-32 letters", StringComparison.Ordinal)), "name rules");
    }

    [TestMethod]
    public void Quit_ClosesWith1000AndRoomSeesReason()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        alice.Say("/quit off to lunch");
        alice.Disconnect();

        Assert.AreEqual(1000, alice.ClosedWith);
        Assert.AreEqual("off to lunch", alice.ClosedBecause);
        Assert.AreEqual("* alice left: off to lunch", bob.Last);
    }

    [TestMethod]
    public void Unknown_ErrorAndNothingRelayed()
    {
        var alice = _chat.Join();
        var bob = _chat.Join();
        bob.Clear();

        alice.Say("/frobnicate now");

        Assert.AreEqual("! unknown command /frobnicate (try /help)", alice.Last);
        Assert.IsEmpty(bob.Received);
    }

    [TestMethod]
    public void DoubleSlash_SendsLiteralSlashText()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("//nick is a command");

        Assert.AreEqual("[alice]: /nick is a command", alice.Last);
    }

    [TestMethod]
    public void Commands_AreCaseInsensitive()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("/ME shouts");

        Assert.AreEqual("* alice shouts", alice.Last);
    }

    [TestMethod]
    public void JoinAndLeave_NoticesToOthersNotToNewcomer()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        Assert.AreEqual("* bob joined", alice.Last);
        Assert.DoesNotContain("* bob joined", bob.Received);

        bob.Disconnect();

        Assert.AreEqual("* bob left", alice.Last);
    }

    [TestMethod]
    public void JoinNotices_Off_NoNotices()
    {
        using var chat = new ChatHarness(new ChatOptions { JoinNotices = false });
        var alice = chat.Join();
        var bob = chat.Join();
        bob.Disconnect();

        Assert.HasCount(1, alice.Received);
    }
}
