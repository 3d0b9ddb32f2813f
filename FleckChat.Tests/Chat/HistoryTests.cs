using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

[TestClass]
public sealed class HistoryTests
{
    [TestMethod]
    public void Newcomer_GetsRecentMessagesAfterGreeting_MarkedWithTheirTime()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off });
        var alice = chat.Join("/chat?name=alice");
        alice.Say("first");
        chat.Time.Advance(TimeSpan.FromSeconds(62));
        alice.Say("/me waves");

        var bob = chat.Join();

        CollectionAssert.AreEqual(new[]
        {
            "You are connected! There are 2 users here.",
            "[08:00:00Z] [alice]: first",
            "[08:01:02Z] * alice waves",
        }, bob.Received.ToArray());
    }

    [TestMethod]
    public void History_KeepsOnlyTheLastN()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off, HistorySize = 3 });
        var alice = chat.Join("/chat?name=alice");
        for (int i = 1; i <= 5; i++)
        {
            alice.Say("m" + i);
        }

        var bob = chat.Join();

        CollectionAssert.AreEqual(new[] { "[08:00:00Z] [alice]: m3", "[08:00:00Z] [alice]: m4", "[08:00:00Z] [alice]: m5" }, bob.Received.Skip(1).ToArray());
    }

    [TestMethod]
    public void History_LeavesOutWhispersAndNotices()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off });
        var alice = chat.Join("/chat?name=alice");
        chat.Join("/chat?name=bob").Disconnect();
        alice.Say("/w alice note to self");
        alice.Say("public");

        var carol = chat.Join();

        CollectionAssert.AreEqual(new[] { "You are connected! There are 2 users here.", "[08:00:00Z] [alice]: public" }, carol.Received.ToArray());
    }

    [TestMethod]
    public void History_Zero_Disabled()
    {
        using var chat = new ChatHarness(new ChatOptions { HistorySize = 0 });
        chat.Join().Say("gone");

        var bob = chat.Join();

        Assert.HasCount(1, bob.Received);
    }

    [TestMethod]
    public void History_IsPerRoom()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off });
        chat.Join("/chat/dev").Say("dev talk");

        var lobby = chat.Join();

        Assert.HasCount(1, lobby.Received);
    }

    [TestMethod]
    public void Json_HistoryIsOneEventWithThePastEvents()
    {
        using var chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off });
        chat.Join("/chat?name=alice").Say("earlier");

        var bob = chat.JoinJson();

        using var history = JsonDocument.Parse(bob.Received[1]);
        Assert.AreEqual("history", history.RootElement.GetProperty("type").GetString());
        var past = history.RootElement.GetProperty("events")[0];
        Assert.AreEqual("message", past.GetProperty("type").GetString());
        Assert.AreEqual("alice", past.GetProperty("from").GetString());
        Assert.AreEqual("earlier", past.GetProperty("text").GetString());
        Assert.AreEqual("2026-11-26T08:00:00.000Z", past.GetProperty("ts").GetString());
    }
}
