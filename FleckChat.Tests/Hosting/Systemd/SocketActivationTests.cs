using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FleckChat.Hosting;
using FleckChat.Hosting.Systemd;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Systemd;

[TestClass]
public sealed class SocketActivationTests
{
    [TestMethod]
    public void TakeListener_NoVariables_ReturnsNull()
    {
        Assert.IsNull(SocketActivation.TakeListener(_ => null, Environment.ProcessId));
    }

    [TestMethod]
    public void TakeListener_ListenPidOfAnotherProcess_ReturnsNull()
    {
        Assert.IsNull(SocketActivation.TakeListener(Variables("1", "1"), Environment.ProcessId));
    }

    [TestMethod]
    public void TakeListener_TwoSockets_SaysFleckChatServesOne()
    {
        var ex = Assert.ThrowsExactly<StartupException>(() =>
            SocketActivation.TakeListener(Variables(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "2"), Environment.ProcessId));

        Assert.StartsWith("LISTEN_FDS: systemd passed 2 sockets", ex.Message);
        Assert.AreEqual(ExitCodes.CannotListen, ex.ExitCode);
    }

    /// <summary>
    /// <c>systemd-socket-activate</c> is given a listening socket (as systemd gives it to a service)
    /// and execs the daemon on the first connection, passing the socket on. The daemon is told to
    /// use a port that is taken: had it bound anything itself, it would have failed; and the only
    /// listening socket it holds is the one it was given.
    /// </summary>
    [TestMethod]
    public async Task SystemdSocketActivate_ClientChats_DaemonNeverBindsItsOwnPort()
    {
        string activate = SystemTools.Require("systemd-socket-activate", "systemd");
        using var logs = TempFolder.ForCaller();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (started, port) = SocketActivated.Start(activate,
            [.. DaemonProcess.DaemonCommand, "--port", takenPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--log-dir", logs.Path]);
        await using var daemon = started;
        await daemon.WaitForLineAsync(new Regex($@"Listening on 127\.0\.0\.1:{port} as 3"));

        var (client, greeting) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
        await using (client)
        {
            Assert.StartsWith("You are connected!", greeting);
            await client.SendTextAsync("activated");
            await client.ReceiveUntilAsync(t => t.EndsWith("]: activated", StringComparison.Ordinal));

            var listening = await daemon.WaitForLineAsync(DaemonProcess.ListeningLine());
            Assert.AreEqual(port.ToString(CultureInfo.InvariantCulture), listening.Groups[1].Value);
            await daemon.WaitForLineAsync(new Regex("Socket activation: serving on the socket systemd passed"));
            CollectionAssert.AreEqual(new[] { port }, ProcessSockets.ListeningPorts(daemon.Id).ToArray());
        }

        daemon.Signal("TERM");
        Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));
    }

    private static Func<string, string?> Variables(string pid, string fds) => name => name switch
    {
        "LISTEN_PID" => pid,
        "LISTEN_FDS" => fds,
        _ => null,
    };
}
