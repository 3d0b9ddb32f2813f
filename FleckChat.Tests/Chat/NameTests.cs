using FleckChat.Chat;
using FleckChat.Chat.Names;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>Choosing names at connect time and with /nick, and the rules names follow.</summary>
[TestClass]
public sealed class NameTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { RateLimit = RateLimit.Off });

    public void Dispose() => _chat.Dispose();

    [TestMethod]
    public void Join_NameQuery_UsedAndGreeted()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("hi");

        Assert.AreEqual("You are connected! There are 1 users here.", alice.Received[0]);
        Assert.AreEqual("[alice]: hi", alice.Last);
    }

    [TestMethod]
    public void Join_NameQueryUrlEncoded_Decoded()
    {
        var a = _chat.Join("/chat?x=1&name=al%2Dice");

        a.Say("hi");

        Assert.AreEqual("[al-ice]: hi", a.Last);
    }

    [TestMethod]
    public void Join_NameTakenIgnoringCase_KeepsGeneratedNameAndIsTold()
    {
        _chat.Join("/chat?name=alice");
        var second = _chat.Join("/chat?name=ALICE");

        Assert.AreEqual("! name ALICE is taken; you are user0", second.Received[1]);
        second.Say("hi");
        Assert.AreEqual("[user0]: hi", second.Last);
    }

    [TestMethod]
    [DataRow("user7", "names like userN are handed out by the server")]
    [DataRow("USER12", "names like userN are handed out by the server")]
    [DataRow("Admin", "admin is reserved")]
    [DataRow("server", "server is reserved")]
    [DataRow("system", "system is reserved")]
    [DataRow("bad name", "a name may only contain letters, digits, _ - and .")]
    [DataRow("emoji😀", "a name may only contain letters, digits, _ - and .")]
    [DataRow("abcdefghijklmnopqrstuvwxyz0123456", "a name has at most 32 characters")]
    public void Join_NameInvalid_ToldWhy(string name, string why)
    {
        var member = _chat.Join("/chat?name=" + Uri.EscapeDataString(name));

        Assert.AreEqual($"! {why}; you are user0", member.Received[1]);
    }

    [TestMethod]
    [DataRow("\u202Eecila", "ecila", DisplayName = "RLO")]
    [DataRow("al\u200Bi\u2060c\uFEFFe", "alice", DisplayName = "zero-width padding")]
    [DataRow("\u2066alice\u2069\u200E", "alice", DisplayName = "isolate and LRM")]
    [DataRow("alice\U000E0041\U000E0042", "alice", DisplayName = "tag characters")]
    [DataRow("alice\n", "alice", DisplayName = "trailing line feed")]
    public void Join_NameWithInvisibleOrBidi_CleanedBeforeTheRules(string requested, string name)
    {
        var member = _chat.Join("/chat?name=" + Uri.EscapeDataString(requested));

        member.Say("hi");

        Assert.AreEqual($"[{name}]: hi", member.Last);
    }

    [TestMethod]
    [DataRow("\u200B")]
    [DataRow("\u202E\u2066\u2069\u200D")]
    [DataRow("\U000E0041")]
    public void Join_NameInvisibleOnly_RefusedAsEmpty(string requested)
    {
        var member = _chat.Join("/chat?name=" + Uri.EscapeDataString(requested));

        Assert.AreEqual("! a name needs at least one character; you are user0", member.Received[1]);
    }

    [TestMethod]
    public void Join_NameCleanedToATakenName_Refused()
    {
        _chat.Join("/chat?name=alice");
        var second = _chat.Join("/chat?name=" + Uri.EscapeDataString("al\u200Bice"));

        Assert.AreEqual("! name alice is taken; you are user0", second.Received[1]);
    }

    [TestMethod]
    public void Nick_WithInvisibleOrBidi_CleanedBeforeTheRules()
    {
        var a = _chat.Join();

        a.Say("/nick \u202Eal\u200Bi\u2060ce\U000E0041");

        Assert.AreEqual("* user0 is now known as alice", a.Last);
    }

    [TestMethod]
    public void Nick_InvisibleOnly_Refused()
    {
        var a = _chat.Join();

        a.Say("/nick \u200B\u2060\u202E");

        Assert.AreEqual("! usage: /nick NAME", a.Last);
    }

    [TestMethod]
    public void Nick_Valid_RoomSeesRename()
    {
        var a = _chat.Join();
        var b = _chat.Join();

        a.Say("/nick alice");

        Assert.AreEqual("* user0 is now known as alice", a.Last);
        Assert.AreEqual("* user0 is now known as alice", b.Last);
        a.Say("hello");
        Assert.AreEqual("[alice]: hello", b.Last);
    }

    [TestMethod]
    public void Nick_AfterSpeaking_LaterLinesCarryTheNewName()
    {
        var a = _chat.Join();
        var b = _chat.Join();

        a.Say("before");
        a.Say("/nick alice");
        a.Say("after");

        Assert.AreEqual("[user0]: before", b.Received[^3]);
        Assert.AreEqual("[alice]: after", b.Last);
    }

    [TestMethod]
    public void Nick_Taken_ErrorAndKeepsOldName()
    {
        _chat.Join("/chat?name=alice");
        var b = _chat.Join();
        b.Clear();

        b.Say("/nick Alice");

        Assert.AreEqual("! name Alice is taken; you are still user0", b.Last);
        Assert.HasCount(1, b.Received);
    }

    [TestMethod]
    public void Nick_Invalid_OneLineErrorWhy()
    {
        var a = _chat.Join();

        a.Say("/nick user99");

        Assert.AreEqual("! names like userN are handed out by the server; you are still user0", a.Last);
    }

    [TestMethod]
    public void Nick_OwnNameInOtherCase_Allowed()
    {
        var a = _chat.Join("/chat?name=alice");

        a.Say("/nick Alice");

        Assert.AreEqual("* alice is now known as Alice", a.Last);
    }

    [TestMethod]
    public void Nick_NameOfMemberWhoLeft_IsFree()
    {
        var a = _chat.Join("/chat?name=alice");
        a.Disconnect();
        var b = _chat.Join();

        b.Say("/nick alice");

        Assert.AreEqual("* user0 is now known as alice", b.Last);
    }

    [TestMethod]
    public void Nick_OldNameFreedForOthers()
    {
        var a = _chat.Join("/chat?name=alice");
        var b = _chat.Join();
        a.Say("/nick alicia");

        b.Say("/nick alice");

        Assert.AreEqual("* user0 is now known as alice", b.Last);
    }

    [TestMethod]
    public void Nick_Missing_Usage()
    {
        var a = _chat.Join();

        a.Say("/nick");

        Assert.AreEqual("! usage: /nick NAME", a.Last);
    }

    [TestMethod]
    public async Task Nick_TwoMembersRaceForOneName_ExactlyOneWins()
    {
        for (int round = 0; round < 50; round++)
        {
            using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off, JoinNotices = false });
            var a = chat.Join();
            var b = chat.Join();
            using var start = new ManualResetEventSlim();
            var claims = new[] { a, b }.Select(m => Task.Run(() =>
            {
                start.Wait();
                m.Say("/nick winner");
            })).ToArray();

            start.Set();
            await Task.WhenAll(claims).Bounded();

            int won = new[] { a, b }.Count(m => m.Received.Any(l => l.EndsWith("is now known as winner", StringComparison.Ordinal) && l.StartsWith("* " + (m == a ? "user0" : "user1"), StringComparison.Ordinal)));
            int refused = new[] { a, b }.Count(m => m.Received.Contains("! name winner is taken; you are still " + (m == a ? "user0" : "user1")));
            Assert.AreEqual(1, won, "exactly one rename");
            Assert.AreEqual(1, refused, "exactly one refusal");
        }
    }

    [TestMethod]
    public void Rules_TrailingLineFeed_Refused()
    {
        Assert.AreEqual("a name may only contain letters, digits, _ - and .", NameRules.WhyNot("alice\n"));
        Assert.AreEqual("a name may only contain letters, digits, _ - and .", NameRules.WhyNot("user7\n"));
        Assert.IsFalse(NameRules.IsValidRoom("dev\n"));
    }

    [TestMethod]
    public void Rules_Summary_MentionsEveryRule()
    {
        Assert.IsNull(NameRules.WhyNot("a.b-c_D9"));
        Assert.Contains("1-32", NameRules.Summary);
        Assert.Contains("userN", NameRules.Summary);
        Assert.Contains("admin", NameRules.Summary);
    }
}
