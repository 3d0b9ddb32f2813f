using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>Message length, rate limit, flood and idle limits, with a clock the test moves.</summary>
[TestClass]
public sealed class LimitTests
{
    [TestMethod]
    public void Text_OverMaxBytes_ErrorNotRelayed()
    {
        using var chat = new ChatHarness(new ChatOptions { MaxTextBytes = 10 });
        var alice = chat.Join();
        var bob = chat.Join();
        bob.Clear();

        alice.Say("ééééééé");

        Assert.AreEqual("! message too long: at most 10 bytes; not sent", alice.Last);
        Assert.IsEmpty(bob.Received);
    }

    [TestMethod]
    public void Text_AtMaxBytes_Relayed()
    {
        using var chat = new ChatHarness(new ChatOptions { MaxTextBytes = 10 });
        var alice = chat.Join();

        alice.Say("éééé12");

        Assert.AreEqual("[user0]: éééé12", alice.Last);
    }

    [TestMethod]
    public void Rate_OverLimit_ErrorAndDropped_ThenRefills()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.PerSeconds(3, 5) });
        var alice = chat.Join();
        var bob = chat.Join();
        bob.Clear();

        for (int i = 0; i < 4; i++)
        {
            alice.Say("m" + i);
        }

        Assert.AreEqual("! slow down: at most 3 messages per 5 s; message dropped", alice.Last);
        CollectionAssert.AreEqual(new[] { "[user0]: m0", "[user0]: m1", "[user0]: m2" }, bob.Received.ToArray());
        Assert.AreEqual(1, chat.Chat.RateLimitHits);

        chat.Time.Advance(TimeSpan.FromSeconds(5));
        alice.Say("later");
        Assert.AreEqual("[user0]: later", bob.Last);
    }

    [TestMethod]
    public void Rate_MultiLineMessage_CostsOneTokenPerLine()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.PerSeconds(3, 5) });
        var alice = chat.Join();
        var bob = chat.Join();
        bob.Clear();

        alice.Say("1\n2\n3\n4");

        Assert.StartsWith("! slow down", alice.Last);
        Assert.IsEmpty(bob.Received);
    }

    [TestMethod]
    public void Rate_SustainedAbuse_ClosedWith1008()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.PerSeconds(2, 5), FloodWindows = 3 });
        var alice = chat.Join();

        for (int window = 0; window < 3; window++)
        {
            for (int i = 0; i < 10 && alice.ClosedWith is null; i++)
            {
                alice.Say("spam");
            }

            Assert.AreEqual(window < 2 ? null : 1008, alice.ClosedWith, $"window {window}");
            chat.Time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.AreEqual("flooding", alice.ClosedBecause);
    }

    [TestMethod]
    public void Rate_RefusedOnceNowAndThen_NotClosed()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.PerSeconds(2, 5), FloodWindows = 3 });
        var alice = chat.Join();

        for (int burst = 0; burst < 5; burst++)
        {
            alice.Say("a");
            alice.Say("b");
            alice.Say("c");
            chat.Time.Advance(TimeSpan.FromSeconds(15));
        }

        Assert.IsNull(alice.ClosedWith);
    }

    [TestMethod]
    public void Rate_TenASecondWithDefaults_RefusedFromThe11th_DisconnectedAt11Seconds()
    {
        using var chat = new ChatHarness(new ChatOptions());
        var alice = chat.Join();
        var bob = chat.Join();
        bob.Clear();
        var start = chat.Time.GetUtcNow();
        int sent = 0;
        int firstRefused = 0;

        while (alice.ClosedWith is null && sent < 1000)
        {
            if (sent > 0)
            {
                chat.Time.Advance(TimeSpan.FromMilliseconds(100));
            }

            alice.Say("m" + sent);
            sent++;
            if (firstRefused == 0 && alice.Last.StartsWith("! slow down", StringComparison.Ordinal))
            {
                firstRefused = sent;
            }
        }

        Assert.AreEqual(11, firstRefused);
        Assert.AreEqual(111, sent);
        Assert.AreEqual(TimeSpan.FromSeconds(11), chat.Time.GetUtcNow() - start);
        Assert.AreEqual(1008, alice.ClosedWith);
        const string slowDown = "! slow down: at most 10 messages per 5 s; message dropped";
        CollectionAssert.AreEqual(
            new[] { slowDown, slowDown, "! flooding: over the limit (at most 10 messages per 5 s) too long; disconnecting" },
            alice.Received.Where(l => l.StartsWith('!')).ToArray());
        Assert.HasCount(30, bob.Received);
    }

    [TestMethod]
    public void Rate_FloodOfMessages_ToldOncePerWindow_FloodingLoggedOnce()
    {
        using var log = new CollectedLog();
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.PerSeconds(10, 5), FloodWindows = 3 }, log.Logger);
        var alice = chat.Join();

        for (int window = 0; window < 4; window++)
        {
            for (int i = 0; i < 1000; i++)
            {
                alice.Say("spam");
            }

            Assert.AreEqual(Math.Min(window + 1, 2), alice.Received.Count(l => l.StartsWith("! slow down", StringComparison.Ordinal)), $"window {window}");
            chat.Time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.AreEqual(1008, alice.ClosedWith);
        Assert.HasCount(1, log.Matching("Disconnecting {Name} ({ConnectionId}) for flooding"));
        Assert.HasCount(1, alice.Received.Where(l => l.StartsWith("! flooding", StringComparison.Ordinal)));
        Assert.AreEqual(3970, chat.Chat.RateLimitHits);
    }

    [TestMethod]
    public void Rate_Zero_NoLimit()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off });
        var alice = chat.Join();

        for (int i = 0; i < 1000; i++)
        {
            alice.Say("m");
        }

        Assert.AreEqual(1001, alice.Received.Count);
    }

    [TestMethod]
    public void Idle_SilentMember_ClosedOthersKept()
    {
        using var chat = new ChatHarness(new ChatOptions { IdleTimeout = TimeSpan.FromSeconds(60) });
        var quiet = chat.Join();
        var talker = chat.Join();

        chat.Time.Advance(TimeSpan.FromSeconds(40));
        talker.Say("still here");
        chat.Time.Advance(TimeSpan.FromSeconds(25));

        Assert.AreEqual(1000, quiet.ClosedWith);
        Assert.AreEqual("idle timeout", quiet.ClosedBecause);
        Assert.AreEqual("! idle for 60 s; disconnecting", quiet.Last);
        Assert.IsNull(talker.ClosedWith);
    }

    [TestMethod]
    public void Idle_Off_NobodyClosed()
    {
        using var chat = new ChatHarness(new ChatOptions());
        var quiet = chat.Join();

        chat.Time.Advance(TimeSpan.FromDays(1));

        Assert.IsNull(quiet.ClosedWith);
    }
}
