using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>Join and leave notices: one by one at a reader's pace, one summary a second under churn.</summary>
[TestClass]
public sealed class PresenceTests : IDisposable
{
    private readonly CollectedLog _log = new();
    private readonly ChatHarness _chat;

    public PresenceTests() => _chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off }, _log.Logger);

    public void Dispose()
    {
        _chat.Dispose();
        _log.Dispose();
    }

    [TestMethod]
    public void FivePerSecond_EachNoticedAndNoSummary()
    {
        var watcher = Watch();

        var joined = Enumerable.Range(0, 3).Select(_ => _chat.Join()).ToList();
        joined[0].Disconnect();
        joined[1].Disconnect();
        _chat.Time.Advance(TimeSpan.FromSeconds(5));

        CollectionAssert.AreEqual(
            new[] { "* user0 joined", "* user1 joined", "* user2 joined", "* user0 left", "* user1 left" },
            watcher.Received.ToArray());
    }

    [TestMethod]
    public void MoreThanFivePerSecond_RestSummarizedWhenTheSecondEnds()
    {
        var watcher = Watch();

        var joined = Enumerable.Range(0, 40).Select(_ => _chat.Join()).ToList();
        _chat.Time.Advance(TimeSpan.FromMilliseconds(500));
        joined.Take(36).ToList().ForEach(c => c.Disconnect());

        Assert.HasCount(5, watcher.Received);
        _chat.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.HasCount(5, watcher.Received);

        _chat.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.AreEqual("* 35 members joined and 36 left in the last second", watcher.Last);
        Assert.HasCount(6, watcher.Received);
    }

    [TestMethod]
    [DataRow(1, 0, "* 1 member joined in the last second")]
    [DataRow(0, 1, "* 1 member left in the last second")]
    [DataRow(0, 7, "* 7 members left in the last second")]
    [DataRow(2, 1, "* 2 members joined and 1 left in the last second")]
    public void Summary_Wording(int joins, int leaves, string line)
    {
        var early = Enumerable.Range(0, leaves).Select(_ => _chat.Join()).ToList();
        _chat.Time.Advance(TimeSpan.FromSeconds(1));
        _chat.Time.Advance(TimeSpan.FromSeconds(1));
        var watcher = _chat.Join("/chat?name=watcher");
        var fillers = Enumerable.Range(0, 4).Select(_ => _chat.Join()).ToList();
        watcher.Clear();

        Enumerable.Range(0, joins).ToList().ForEach(_ => _chat.Join());
        early.ForEach(c => c.Disconnect());
        _chat.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.AreEqual(line, watcher.Last);
    }

    [TestMethod]
    public void SustainedChurn_OneSummaryASecond_NoticesAgainWhenQuiet()
    {
        var watcher = Watch();

        for (int second = 0; second < 10; second++)
        {
            for (int i = 0; i < 400; i++)
            {
                _chat.Join().Disconnect();
            }

            _chat.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var summaries = watcher.Received.Skip(5).ToArray();
        Assert.HasCount(10, summaries);
        Assert.AreEqual("* 397 members joined and 398 left in the last second", summaries[0]);
        Assert.IsTrue(summaries.Skip(1).All(s => s == "* 400 members joined and 400 left in the last second"), string.Join(" | ", summaries));

        _chat.Time.Advance(TimeSpan.FromSeconds(1));
        _chat.Join("/chat?name=later");
        Assert.AreEqual("* later joined", watcher.Last);
    }

    [TestMethod]
    public void Summary_Json_PresenceEventWithCounts()
    {
        var watcher = Watch(json: true);
        for (int i = 0; i < 8; i++)
        {
            _chat.Join().Disconnect();
        }

        _chat.Time.Advance(TimeSpan.FromSeconds(1));

        using var summary = JsonDocument.Parse(watcher.Last);
        var root = summary.RootElement;
        Assert.AreEqual("presence", root.GetProperty("type").GetString());
        Assert.AreEqual("lobby", root.GetProperty("room").GetString());
        Assert.AreEqual(5, root.GetProperty("joined").GetInt32());
        Assert.AreEqual(6, root.GetProperty("left").GetInt32());
        Assert.AreEqual("5 members joined and 6 left in the last second", root.GetProperty("text").GetString());
        Assert.IsGreaterThan(0, root.GetProperty("id").GetInt64());
    }

    [TestMethod]
    public void Summary_OnlyInTheChurningRoom()
    {
        var lobby = Watch();
        var dev = _chat.Join("/chat/dev?name=dev");
        _chat.Time.Advance(TimeSpan.FromSeconds(1));

        for (int i = 0; i < 20; i++)
        {
            _chat.Join("/chat/dev").Disconnect();
        }

        _chat.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.IsEmpty(lobby.Received);
        Assert.AreEqual("* 17 members joined and 18 left in the last second", dev.Last);
    }

    [TestMethod]
    public void JoinAndLeaveLogLines_TenASecond_RestCounted()
    {
        for (int i = 0; i < 100; i++)
        {
            _chat.Join().Disconnect();
        }

        _chat.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.HasCount(10, _log.Events.Where(e => e.MessageTemplate.Text.Contains(" joined ", StringComparison.Ordinal) || e.MessageTemplate.Text.Contains(" left ", StringComparison.Ordinal)));
        var summary = _log.Matching("Suppressed {Suppressed}").Single();
        Assert.AreEqual("190", summary.Properties["Suppressed"].ToString());
    }

    /// <summary>A member who joined a second ago (its own notice spent none of this second's) and has read everything so far.</summary>
    private FakeConnection Watch(bool json = false)
    {
        var watcher = json ? _chat.JoinJson("/chat?name=watcher") : _chat.Join("/chat?name=watcher");
        _chat.Time.Advance(TimeSpan.FromSeconds(1));
        watcher.Clear();
        return watcher;
    }
}
