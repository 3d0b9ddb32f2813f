using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>
/// Reconnecting to one daemon (docs/protocol.md, "Reconnecting"): the welcome's epoch and resume token,
/// <c>?since=ID&amp;epoch=EPOCH&amp;resume=TOKEN</c>, the grace period. Chat rules with fake connections
/// and a fake clock.
/// </summary>
[TestClass]
public sealed class ResumeTests
{
    [TestMethod]
    public void JsonWelcome_CarriesEpochAndToken_TextWelcomeUnchanged()
    {
        using var harness = new ChatHarness();
        var json = harness.JoinJson("/chat?name=ann");
        var text = harness.Join("/chat?name=bob");

        var welcome = Parse(json.Received[0]);
        Assert.AreEqual(16, welcome.GetProperty("epoch").GetString()!.Length);
        StringAssert.Contains(welcome.GetProperty("resume").GetString(), ".");
        Assert.AreEqual("You are connected! There are 2 users here.", text.Received[0]);
    }

    [TestMethod]
    public void BrokenThenResumedWithinGrace_ExactlyTheMissedEvents_SameName_RoomSeesNoLeaveOrJoin()
    {
        using var harness = new ChatHarness();
        var ann = harness.JoinJson("/chat?name=ann");
        var bob = harness.Join("/chat?name=bob");
        var (epoch, token) = Welcome(ann);
        bob.Say("one");
        long seen = LastId(ann);
        ann.Break();
        bob.Say("two");
        bob.Say("three");
        bob.Clear();

        var again = harness.JoinJson($"/chat?since={seen}&epoch={epoch}&resume={Uri.EscapeDataString(token)}");

        var events = again.Received.Select(Parse).ToList();
        Assert.AreEqual("ann", events[0].GetProperty("name").GetString());
        CollectionAssert.AreEqual(new[] { "two", "three" }, events.Skip(1).Select(e => e.GetProperty("text").GetString()).ToArray(), string.Join('\n', again.Received));
        Assert.IsEmpty(bob.Received, "no leave, no join: " + string.Join('\n', bob.Received));
        bob.Say("four");
        Assert.AreEqual("four", Parse(again.Last).GetProperty("text").GetString());
        bob.Say("/who");
        Assert.AreEqual("* members of lobby: ann, bob", bob.Last);
    }

    [TestMethod]
    public void Broken_StaysPresentForTheGrace_ThenTheRoomIsToldItLeft()
    {
        using var harness = new ChatHarness();
        var ann = harness.JoinJson("/chat?name=ann");
        var bob = harness.Join("/chat?name=bob");
        ann.Break();
        bob.Say("/who");
        Assert.AreEqual("* members of lobby: ann, bob", bob.Last, "present during the grace");

        harness.Time.Advance(new ChatOptions().ResumeGrace);

        Assert.AreEqual("* ann left", bob.Last);
    }

    [TestMethod]
    public void ResumedAfterTheGrace_MissedEventsAndTheNameBack_RoomSeesAnOrdinaryJoin()
    {
        using var harness = new ChatHarness();
        var ann = harness.JoinJson("/chat?name=ann");
        var bob = harness.Join("/chat?name=bob");
        var (epoch, token) = Welcome(ann);
        long seen = LastId(ann);
        ann.Break();
        harness.Time.Advance(new ChatOptions().ResumeGrace);
        bob.Say("while away");

        var again = harness.JoinJson($"/chat?since={seen}&epoch={epoch}&resume={Uri.EscapeDataString(token)}");

        Assert.AreEqual("ann", Parse(again.Received[0]).GetProperty("name").GetString());
        var texts = again.Received.Skip(1).Select(Parse).Select(e => e.GetProperty("type").GetString() + ":" + (e.TryGetProperty("text", out var t) ? t.GetString() : e.GetProperty("name").GetString())).ToArray();
        CollectionAssert.AreEqual(new[] { "leave:ann", "message:while away" }, texts);
        Assert.AreEqual("* ann joined", bob.Last);
    }

    [TestMethod]
    public void CleanClose_EndsAtOnce()
    {
        using var harness = new ChatHarness();
        var ann = harness.JoinJson("/chat?name=ann");
        var bob = harness.Join("/chat?name=bob");

        ann.Disconnect();

        Assert.AreEqual("* ann left", bob.Last);
    }

    [TestMethod]
    public void LiveOldConnection_ClosedWith4000_NewOneHasTheName()
    {
        using var harness = new ChatHarness();
        var ann = harness.JoinJson("/chat?name=ann");
        var bob = harness.Join("/chat?name=bob");
        var (_, token) = Welcome(ann);
        bob.Clear();

        var again = harness.JoinJson($"/chat?resume={Uri.EscapeDataString(token)}");

        Assert.AreEqual(4000, ann.ClosedWith);
        Assert.AreEqual("resumed on another connection", ann.ClosedBecause);
        ann.Break(); // the server raises OnClose for the closed connection: nothing more happens
        Assert.AreEqual("ann", Parse(again.Received[0]).GetProperty("name").GetString());
        Assert.IsEmpty(bob.Received, string.Join('\n', bob.Received));
    }

    [TestMethod]
    public void GapEvent_WhenTheRoomNoLongerKeepsWhatWasMissed_OrTheEpochChanged()
    {
        using var harness = new ChatHarness(new ChatOptions { ReplayEvents = 3, HistorySize = 2, RateLimit = FleckChat.Limits.RateLimit.Off });
        var ann = harness.JoinJson("/chat?name=ann");
        var bob = harness.Join("/chat?name=bob");
        var (epoch, _) = Welcome(ann);
        long seen = LastId(ann);
        ann.Break();
        for (int i = 0; i < 5; i++)
        {
            bob.Say($"m{i}");
        }

        var late = harness.JoinJson($"/chat?since={seen}&epoch={epoch}");
        var other = harness.JoinJson($"/chat?since={seen}&epoch=0000000000000000");

        foreach (var client in new[] { late, other })
        {
            var types = client.Received.Select(Parse).Select(e => e.GetProperty("type").GetString()).Take(3).ToArray();
            CollectionAssert.AreEqual(new[] { "welcome", "gap", "history" }, types, string.Join('\n', client.Received));
        }
    }

    [TestMethod]
    public void ExpiredOrForgedToken_GivesNoNameBack()
    {
        using var harness = new ChatHarness();
        var ann = harness.JoinJson("/chat?name=ann");
        var (_, token) = Welcome(ann);
        ann.Disconnect();
        string forged = token[..^2] + (token[^1] == 'A' ? "BB" : "AA");

        var withForged = harness.JoinJson($"/chat?resume={Uri.EscapeDataString(forged)}");
        harness.Time.Advance(new ChatOptions().ResumeLifetime);
        var withExpired = harness.JoinJson($"/chat?resume={Uri.EscapeDataString(token)}");

        StringAssert.StartsWith(Parse(withForged.Received[0]).GetProperty("name").GetString(), "user");
        StringAssert.StartsWith(Parse(withExpired.Received[0]).GetProperty("name").GetString(), "user");
    }

    [TestMethod]
    public void Tokens_ForgottenWhenTheirLifetimeIsOver()
    {
        using var harness = new ChatHarness();
        for (int i = 0; i < 50; i++)
        {
            harness.JoinJson().Disconnect();
        }

        Assert.AreEqual(50, harness.Chat.ResumeTokenCount);
        harness.Time.Advance(new ChatOptions().ResumeLifetime);
        harness.JoinJson();

        Assert.AreEqual(1, harness.Chat.ResumeTokenCount, "only the member connected now");
    }

    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;

    private static (string Epoch, string Token) Welcome(FakeConnection client)
    {
        var welcome = Parse(client.Received[0]);
        return (welcome.GetProperty("epoch").GetString()!, welcome.GetProperty("resume").GetString()!);
    }

    /// <summary>The id of the last room event the client received (its welcome's id when none: 0).</summary>
    private static long LastId(FakeConnection client) =>
        client.Received.Select(Parse).Where(e => e.TryGetProperty("id", out _)).Select(e => e.GetProperty("id").GetInt64()).DefaultIfEmpty(0).Last();
}
