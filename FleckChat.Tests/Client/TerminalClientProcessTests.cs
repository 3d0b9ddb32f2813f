using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using FleckChat.Chat;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Client;

/// <summary><c>fleckchat client</c> as a real process with pipes or at a pseudo-terminal, against a real server.</summary>
[TestClass]
public sealed class TerminalClientProcessTests
{
    [TestMethod]
    public async Task Pipe_ChatsBothWaysWithAnotherClient_ExitsZeroAfterInputEnds()
    {
        var targets = new ConcurrentQueue<string>();
        var members = new MemberWatch();
        using var chat = new ChatHub(new ChatOptions(), members.Wrap());
        await using var server = TestServer.Start(connection =>
        {
            targets.Enqueue(connection.ConnectionInfo.Path);
            chat.Attach(connection);
        });
        var (bob, _) = await ChatClient.JoinAsync(server.Uri);
        await using (bob)
        await using (var client = ClientProcess.Start(server.Uri.ToString(), "--name", "alice"))
        {
            await client.WaitForLineAsync("You are connected! There are 2 users here.");

            Assert.AreEqual("* alice joined", await bob.ReceiveTextAsync());
            await client.WriteAsync("hi from the pipe\n");
            Assert.AreEqual("[alice]: hi from the pipe", await bob.ReceiveTextAsync());
            await bob.SendTextAsync("hello, pipe");
            Assert.AreEqual("[user0]: hello, pipe", await bob.ReceiveTextAsync());
            await client.WaitForLineAsync("[user0]: hello, pipe");
            client.EndInput();

            Assert.AreEqual(0, await client.WaitForExitAsync(), string.Join('\n', client.StderrLines));
            Assert.IsEmpty(client.StderrLines);
            StringAssert.Contains(client.Stdout, "[alice]: hi from the pipe\n[user0]: hello, pipe");
            Assert.AreEqual("* alice left", await bob.ReceiveTextAsync());
            await members.WaitForCountAsync(1);
        }

        CollectionAssert.Contains(targets.ToArray(), "/chat?name=alice");
    }

    [TestMethod]
    public async Task Pipe_AllInputAtOnce_SendsEachLinePrintsRepliesExitsZero()
    {
        var (server, members) = TestServer.StartChat();
        await using (server)
        {
            var (code, client) = await ClientProcess.RunAsync("hi\n\n/who\n", server.Uri.ToString());
            await using (client)
            {
                Assert.AreEqual(0, code, string.Join('\n', client.StderrLines));
                Assert.AreEqual("You are connected! There are 1 users here.\n[user0]: hi\n* members of lobby: user0", client.Stdout);
                Assert.AreEqual(2, server.Server.Metrics.MessagesReceived, "two lines sent, the empty one skipped");
                await members.WaitForCountAsync(0);
            }
        }
    }

    [TestMethod]
    public async Task Terminal_LeftArrowInsertAndUpArrowRecall_SendsEditedLines()
    {
        var (server, members) = TestServer.StartChat();
        await using (server)
        {
            var (bob, _) = await ChatClient.JoinAsync(server.Uri);
            await using (bob)
            await using (var client = ClientProcess.StartInTerminal(server.Uri.ToString(), "--name", "alice"))
            {
                Assert.AreEqual("* alice joined", await bob.ReceiveTextAsync());

                // ESC [ D is Left, ESC [ A is Up, as a terminal sends them; \r is Enter.
                await client.WriteAsync("helo\u001b[Dl\r");
                Assert.AreEqual("[alice]: hello", await bob.ReceiveTextAsync());
                await client.WriteAsync("\u001b[A again\r");
                Assert.AreEqual("[alice]: hello again", await bob.ReceiveTextAsync());
                await client.WriteAsync("/quit\r");

                Assert.AreEqual(0, await client.WaitForExitAsync(), client.Stdout);
                Assert.AreEqual("* alice left", await bob.ReceiveTextAsync());
                await members.WaitForCountAsync(1);
            }
        }
    }

    [TestMethod]
    public async Task Terminal_ConnectionCutWhileAnotherTalks_ReconnectsShowsEachMissedLineOnceInOrder_RoomSeesNothing()
    {
        await using var daemon = InProcessDaemon.Start(configure: o => o with { Chat = o.Chat with { RateLimit = FleckChat.Limits.RateLimit.Off } });
        await using var relay = TcpRelay.Start(daemon.Port);
        var (bob, _) = await ChatClient.JoinAsync(new Uri(daemon.ChatUri() + "?name=bob"));
        await using var _bob = bob;
        await using var client = ClientProcess.StartInTerminal($"ws://127.0.0.1:{relay.Port}/chat", "--name", "alice");
        Assert.AreEqual("* alice joined", await bob.ReceiveTextAsync());
        await bob.SendTextAsync("before");
        await client.WaitForTextAsync("[bob]: before");

        relay.Cut();
        await client.WaitForTextAsync("* connection lost; reconnecting…");
        string[] missed = [.. Enumerable.Range(1, 5).Select(i => $"missed {i}")];
        foreach (string line in missed)
        {
            await bob.SendTextAsync(line);
        }

        relay.Restore();
        await client.WaitForTextAsync("[bob]: missed 5");
        await bob.SendTextAsync("live");
        await client.WaitForTextAsync("[bob]: live");
        var seenByBob = new List<string>();
        while (seenByBob.LastOrDefault() != "[bob]: live")
        {
            seenByBob.Add(await bob.ReceiveTextAsync());
        }

        await client.WriteAsync("/quit\r");
        Assert.AreEqual(0, await client.WaitForExitAsync(), client.Stdout);

        string[] said = ["[bob]: before", .. missed.Select(m => "[bob]: " + m), "[bob]: live"];
        CollectionAssert.AreEqual(said, seenByBob.ToArray(), "no leave, no join");
        string shown = client.Stdout;
        int at = 0;
        string[] expected = [said[0], "* connection lost; reconnecting…", "* reconnected", .. said[1..]];
        foreach (string line in expected)
        {
            int found = shown.IndexOf(line, at, StringComparison.Ordinal);
            Assert.IsGreaterThanOrEqualTo(0, found, $"'{line}' missing or out of order in:\n{shown}");
            Assert.AreEqual(found, shown.LastIndexOf(line, StringComparison.Ordinal), $"'{line}' shown twice in:\n{shown}");
            at = found + line.Length;
        }

        Assert.DoesNotContain("messages may have been missed", shown);
    }

    [TestMethod]
    public async Task Terminal_ServerShuttingDown_Reconnecting_CtrlCStops()
    {
        var (server, _) = TestServer.StartChat();
        await using var client = ClientProcess.StartInTerminal(server.Uri.ToString());
        await client.WaitForTextAsync("You are connected! There are 1 users here.");

        // 1001 is what a restart looks like: the client tries to come back (and here, never can).
        await server.DisposeAsync();
        await client.WaitForTextAsync("reconnecting");
        await client.WriteAsync("\u0003");

        Assert.AreEqual(4, await client.WaitForExitAsync(), client.Stdout);
    }

    [TestMethod]
    public async Task Pipe_ConnectionLost_OneLineReason_Exit4_NoReconnect()
    {
        await using var daemon = InProcessDaemon.Start();
        await using var relay = TcpRelay.Start(daemon.Port);
        await using var client = ClientProcess.Start($"ws://127.0.0.1:{relay.Port}/chat");
        await client.WaitForLineAsync("You are connected! There are 1 users here.");

        relay.Cut();

        Assert.AreEqual(4, await client.WaitForExitAsync());
        Assert.HasCount(1, client.StderrLines);
        StringAssert.StartsWith(client.StderrLines[0], "fleckchat client: connection lost: ");
        Assert.AreEqual("You are connected! There are 1 users here.", client.Stdout, "nothing about reconnecting");
        Assert.AreEqual(0, relay.Count, "no second connection");
    }

    [TestMethod]
    public async Task ConnectionRefused_OneLineReason_Exit3()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var (code, client) = await ClientProcess.RunAsync("hi\n", $"ws://127.0.0.1:{port}/chat");
        await using (client)
        {
            Assert.AreEqual(3, code);
            Assert.HasCount(1, client.StderrLines);
            Assert.AreEqual($"fleckchat client: cannot connect to ws://127.0.0.1:{port}/chat: Connection refused", client.StderrLines[0]);
            Assert.AreEqual("", client.Stdout);
        }
    }

    [TestMethod]
    public async Task HandshakeRefused_OneLineWithStatus_Exit3()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (code, client) = await ClientProcess.RunAsync("hi\n", $"ws://127.0.0.1:{server.Port}/elsewhere");
            await using (client)
            {
                Assert.AreEqual(3, code);
                Assert.HasCount(1, client.StderrLines);
                StringAssert.Contains(client.StderrLines[0], "refused the WebSocket handshake: 404 Not Found");
            }
        }
    }

    [TestMethod]
    public async Task ServerCloses_OneLineWithCodeAndReason_Exit4()
    {
        var (server, _) = TestServer.StartChat();
        await using var client = ClientProcess.Start(server.Uri.ToString());
        await client.WaitForLineAsync("You are connected! There are 1 users here.");

        await server.DisposeAsync();

        Assert.AreEqual(4, await client.WaitForExitAsync());
        Assert.HasCount(1, client.StderrLines);
        Assert.AreEqual("fleckchat client: the server closed the connection: 1001 server shutting down", client.StderrLines[0]);
    }

    [TestMethod]
    [DataRow("http://127.0.0.1:8080/chat", "URL")]
    [DataRow("not a url", "URL")]
    [DataRow("--wait", "soon", "--wait")]
    [DataRow("--name", "", "--name")]
    public async Task BadCommandLine_OneLineNamingIt_Exit2(params string[] argsAndNamed)
    {
        var (code, output) = await DaemonProcess.RunAsync(["client", .. argsAndNamed[..^1]]);

        Assert.AreEqual(2, code);
        Assert.HasCount(1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), output);
        Assert.Contains(argsAndNamed[^1], output);
    }

    [TestMethod]
    [DataRow("--bogus")]
    [DataRow("ws://127.0.0.1:1/chat", "-x")]
    [DataRow("--name", "alice", "--bogus=1")]
    public async Task UnknownOption_SaysSo_Exit2(params string[] args)
    {
        var (code, output) = await DaemonProcess.RunAsync(["client", .. args]);

        Assert.AreEqual(2, code);
        Assert.AreEqual($"fleckchat: unknown option '{args[^1]}' (see fleckchat client --help)", output.Trim());
    }

    [TestMethod]
    public async Task NameInUrlAndNameOptionDiffer_UsageError_Exit2()
    {
        var (code, output) = await DaemonProcess.RunAsync("client", "ws://127.0.0.1:1/chat?name=bob", "--name", "alice");

        Assert.AreEqual(2, code);
        Assert.AreEqual("fleckchat: --name alice and ?name=bob in the URL disagree: give the name once (see fleckchat client --help)", output.Trim());
    }

    [TestMethod]
    public async Task DaemonVariableInvalid_ClientUnaffected()
    {
        await using var client = DaemonProcess.Start(["client", "ws://127.0.0.1:1/chat"], new Dictionary<string, string> { ["FLECKCHAT_PORT"] = "abc" });

        Assert.AreEqual(3, await client.WaitForExitAsync(Wait.Timeout), client.Output);
        Assert.DoesNotContain("FLECKCHAT_PORT", client.Output);
    }

    [TestMethod]
    public async Task Help_ListsClientOptionsAndVariables()
    {
        var (code, output) = await DaemonProcess.RunAsync("client", "--help");

        Assert.AreEqual(0, code);
        foreach (var name in new[] { "URL", "--name", "--wait", "FLECKCHAT_CLIENT_URL", "FLECKCHAT_CLIENT_NAME", "FLECKCHAT_CLIENT_WAIT", "?name=" })
        {
            Assert.Contains(name, output);
        }
    }
}
