using System.Net.WebSockets;
using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Chat.Formats;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>Rooms, names, JSON, limits and safety over real WebSockets.</summary>
[TestClass]
public sealed class ChatFeaturesEndToEndTests
{
    private static Uri At(TestServer server, string pathAndQuery) => new($"ws://127.0.0.1:{server.Port}{pathAndQuery}");

    [TestMethod]
    public async Task TextAndJsonClients_OneRoom_SameEventsSameOrder()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (text, _) = await ChatClient.JoinAsync(At(server, "/chat?name=tess"));
            await using var json = await ChatClient.ConnectAsync(At(server, "/chat?name=jay"), JsonFormat.SubProtocol);
            await using (text)
            {
                Assert.AreEqual(JsonFormat.SubProtocol, json.Socket.SubProtocol);
                Assert.AreEqual("welcome", Type(await json.ReceiveTextAsync()));
                Assert.AreEqual("* jay joined", await text.ReceiveTextAsync());

                await text.SendTextAsync("from text");
                await json.SendTextAsync("""{"type":"message","text":"from json"}""");
                await json.SendTextAsync("""{"type":"command","text":"/me nods"}""");

                string[] expected = ["[tess]: from text", "[jay]: from json", "* jay nods"];
                foreach (var line in expected)
                {
                    Assert.AreEqual(line, await text.ReceiveTextAsync());
                }

                var events = new List<JsonElement>();
                for (int i = 0; i < 3; i++)
                {
                    using var doc = JsonDocument.Parse(await json.ReceiveTextAsync());
                    events.Add(doc.RootElement.Clone());
                }

                CollectionAssert.AreEqual(new[] { "message", "message", "action" }, events.Select(e => e.GetProperty("type").GetString()).ToArray());
                CollectionAssert.AreEqual(new[] { "from text", "from json", "nods" }, events.Select(e => e.GetProperty("text").GetString()).ToArray());
                var ids = events.Select(e => e.GetProperty("id").GetInt64()).ToArray();
                CollectionAssert.AreEqual(ids.Order().ToArray(), ids);
            }
        }
    }

    [TestMethod]
    public async Task Rooms_PathSelectsRoom_InvalidRoomIs404()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (dev, greeting) = await ChatClient.JoinAsync(At(server, "/chat/dev?name=bob"));
            await using (dev)
            {
                Assert.AreEqual("You are connected! There are 1 users here.", greeting);
                await dev.SendTextAsync("/who");
                Assert.AreEqual("* members of dev: bob", await dev.ReceiveTextAsync());
            }

            await using var raw = await RawClient.ConnectAsync(server.Port);
            await raw.SendAsync(RawClient.UpgradeRequest("/chat/not%20valid"));
            Assert.AreEqual(404, (await raw.ReadResponseHeadAsync()).Status);
        }
    }

    [TestMethod]
    public async Task Names_TwoClientsClaimTheSameNameAtOnce_ExactlyOneGetsIt()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var joins = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => ChatClient.JoinAsync(At(server, "/chat?name=dup")))).Bounded();
            var outcomes = new List<string>();
            foreach (var (client, _) in joins)
            {
                await client.SendTextAsync("/who");
                string line;
                do
                {
                    line = await client.ReceiveTextAsync();
                    outcomes.Add(line);
                }
                while (!line.StartsWith("* members", StringComparison.Ordinal));
                await client.DisposeAsync();
            }

            Assert.AreEqual(1, outcomes.Count(l => l.StartsWith("! name dup is taken; you are user", StringComparison.Ordinal)), string.Join('\n', outcomes));
        }
    }

    [TestMethod]
    public async Task Escapes_NeverReachAnotherClient()
    {
        var (server, _) = TestServer.StartChat(chatOptions: new ChatOptions { JoinNotices = false });
        await using (server)
        {
            var (alice, _) = await ChatClient.JoinAsync(At(server, "/chat?name=alice"));
            var (bob, _) = await ChatClient.JoinAsync(At(server, "/chat?name=bob"));
            await using (alice)
            await using (bob)
            {
                await alice.SendTextAsync("\u001b]0;pwned\u0007\u001b[2Jhi\n[bob]: I owe you");

                Assert.AreEqual("[alice]: hi", await bob.ReceiveTextAsync());
                Assert.AreEqual("[alice]: [bob]: I owe you", await bob.ReceiveTextAsync());
            }
        }
    }

    [TestMethod]
    public async Task TextTricks_CleanedForTextAndJsonClients()
    {
        var (server, _) = TestServer.StartChat(chatOptions: new ChatOptions { JoinNotices = false });
        await using (server)
        {
            var (alice, _) = await ChatClient.JoinAsync(At(server, "/chat?name=%E2%80%AEal%E2%80%8Bice"));
            await using var json = await ChatClient.ConnectAsync(At(server, "/chat?name=jay"), JsonFormat.SubProtocol);
            await using (alice)
            {
                Assert.AreEqual("welcome", Type(await json.ReceiveTextAsync()));

                await alice.SendTextAsync("\u200B\u2060\u202E");
                await alice.SendTextAsync("invoice_\u202Efdp.exe\u200B Z\u0336\u0336\u0336\u0336\u0336\u0336");
                await alice.SendTextAsync("\U0001F468\u200D\U0001F469\u200D\U0001F467 \U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F");

                string[] expected = ["invoice_fdp.exe Z\u0336\u0336\u0336\u0336", "\U0001F468\u200D\U0001F469\u200D\U0001F467 \U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"];
                foreach (var text in expected)
                {
                    Assert.AreEqual("[alice]: " + text, await alice.ReceiveTextAsync());
                    using var doc = JsonDocument.Parse(await json.ReceiveTextAsync());
                    Assert.AreEqual("alice", doc.RootElement.GetProperty("from").GetString());
                    Assert.AreEqual(text, doc.RootElement.GetProperty("text").GetString());
                }
            }
        }
    }

    [TestMethod]
    public async Task Limits_TextTooLong_ErrorLine_TooBigForTheServer_1009()
    {
        var (server, _) = TestServer.StartChat(new FleckChat.Server.WebSocketServerOptions { MaxMessageBytes = 8192 },
            new ChatOptions { MaxTextBytes = 100 });
        await using (server)
        {
            var (alice, _) = await ChatClient.JoinAsync(server.Uri);
            await using (alice)
            {
                await alice.SendTextAsync(new string('x', 101));
                Assert.AreEqual("! message too long: at most 100 bytes; not sent", await alice.ReceiveTextAsync());

                await alice.SendTextAsync(new string('x', 8193));
                Assert.AreEqual(WebSocketCloseStatus.MessageTooBig, await alice.ReceiveCloseAsync());
            }
        }
    }

    [TestMethod]
    public async Task Limits_RateExceeded_ErrorLine_FloodClosedWith1008()
    {
        var (server, _) = TestServer.StartChat(chatOptions: new ChatOptions { RateLimit = new RateLimit(1, TimeSpan.FromMinutes(1)), FloodWindows = 1 });
        await using (server)
        {
            var (alice, _) = await ChatClient.JoinAsync(server.Uri);
            await using (alice)
            {
                await alice.SendTextAsync("one");
                await alice.SendTextAsync("two");

                Assert.AreEqual("[user0]: one", await alice.ReceiveTextAsync());
                Assert.StartsWith("! flooding", await alice.ReceiveTextAsync());
                Assert.AreEqual(WebSocketCloseStatus.PolicyViolation, await alice.ReceiveCloseAsync());
            }
        }
    }

    [TestMethod]
    public async Task Limits_IdleMember_ToldAndClosed()
    {
        var (server, _) = TestServer.StartChat(chatOptions: new ChatOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using (server)
        {
            var (quiet, _) = await ChatClient.JoinAsync(server.Uri);
            await using (quiet)
            {
                Assert.StartsWith("! idle for", await quiet.ReceiveTextAsync());
                Assert.AreEqual(WebSocketCloseStatus.NormalClosure, await quiet.ReceiveCloseAsync());
                Assert.AreEqual("idle timeout", quiet.Socket.CloseStatusDescription);
            }
        }
    }

    [TestMethod]
    public async Task Quit_ServerClosesWith1000()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (alice, _) = await ChatClient.JoinAsync(server.Uri);
            await using (alice)
            {
                await alice.SendTextAsync("/quit done for today");

                Assert.AreEqual(WebSocketCloseStatus.NormalClosure, await alice.ReceiveCloseAsync());
                Assert.AreEqual("done for today", alice.Socket.CloseStatusDescription);
            }
        }
    }

    private static string? Type(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("type").GetString();
    }
}
