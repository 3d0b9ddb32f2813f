using System.Text.Json;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>Reconnecting to a real daemon over real sockets: a member's TCP connection aborted (no close frame) while others talk.</summary>
[TestClass]
public sealed class ResumeEndToEndTests
{
    [TestMethod]
    public async Task AbortedThenResumed_ExactlyTheMissedEventsInOrder_ThenLive_SameName_RoomSeesNothing()
    {
        await using var daemon = InProcessDaemon.Start(configure: o => o with { Chat = o.Chat with { RateLimit = FleckChat.Limits.RateLimit.Off } });
        var uri = daemon.ChatUri();
        var ann = await ChatClient.ConnectAsync(new Uri(uri + "?name=ann"), "fleckchat.v1.json");
        var welcome = Parse(await ann.ReceiveTextAsync());
        string epoch = welcome.GetProperty("epoch").GetString()!;
        string token = welcome.GetProperty("resume").GetString()!;
        var (bob, _) = await ChatClient.JoinAsync(new Uri(uri + "?name=bob"));
        await using var _bob = bob;
        await bob.SendTextAsync("before");
        long seen = Parse(await ann.ReceiveUntilAsync(line => line.Contains("\"before\"", StringComparison.Ordinal))).GetProperty("id").GetInt64();

        // No close frame: the member stays present while bob keeps talking.
        ann.Socket.Abort();
        await ann.DisposeAsync();
        for (int i = 1; i <= 20; i++)
        {
            await bob.SendTextAsync($"missed {i}");
        }

        await bob.ReceiveUntilAsync(line => line == "[bob]: missed 20");
        var again = await ChatClient.ConnectAsync(new Uri($"{uri}?since={seen}&epoch={epoch}&resume={Uri.EscapeDataString(token)}"), "fleckchat.v1.json");
        await using var _again = again;
        await bob.SendTextAsync("live");

        Assert.AreEqual("ann", Parse(await again.ReceiveTextAsync()).GetProperty("name").GetString());
        var texts = new List<string>();
        while (texts.Count < 21)
        {
            var e = Parse(await again.ReceiveTextAsync());
            texts.Add(e.GetProperty("type").GetString() + ":" + e.GetProperty("text").GetString());
        }

        CollectionAssert.AreEqual(Enumerable.Range(1, 20).Select(i => $"message:missed {i}").Append("message:live").ToArray(), texts.ToArray());
        await bob.SendTextAsync("/who");
        var seenByBob = await bob.LinesUntilAsync(line => line.StartsWith("* members", StringComparison.Ordinal));
        Assert.AreEqual("* members of lobby: ann, bob", seenByBob[^1]);
        Assert.IsFalse(seenByBob.Any(line => line.StartsWith("* ann", StringComparison.Ordinal)), string.Join('\n', seenByBob));
    }

    [TestMethod]
    public async Task ResumeToken_NeverInTheLog()
    {
        using var log = new CollectedLog();
        await using var daemon = InProcessDaemon.Start(log: log.Logger);
        var ann = await ChatClient.ConnectAsync(new Uri(daemon.ChatUri() + "?name=ann"), "fleckchat.v1.json");
        string token = Parse(await ann.ReceiveTextAsync()).GetProperty("resume").GetString()!;
        ann.Socket.Abort();
        await ann.DisposeAsync();

        await using var again = await ChatClient.ConnectAsync(new Uri($"{daemon.ChatUri()}?resume={Uri.EscapeDataString(token)}"), "fleckchat.v1.json");
        Assert.AreEqual("ann", Parse(await again.ReceiveTextAsync()).GetProperty("name").GetString());
        await again.CloseAsync();

        string secret = token[(token.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var lines = log.Events.Select(e => e.RenderMessage() + " " + string.Join(' ', e.Properties.Values)).ToList();
        Assert.IsNotEmpty(lines);
        Assert.IsFalse(lines.Any(line => line.Contains(secret, StringComparison.Ordinal) || line.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal)),
            string.Join('\n', lines.Where(line => line.Contains("resume", StringComparison.Ordinal))));
    }

    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;
}
