using System.Globalization;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>
/// The executables install.sh publishes (single-file trimmed, and NativeAOT), run with no variable
/// but those given: no .NET on PATH, no DOTNET_ROOT. Trimming and AOT break things at run time that
/// the build does not see, so each path the service uses is exercised once.
/// </summary>
[TestClass]
public sealed partial class PublishedExecutableTests
{
    [TestMethod]
    [DataRow(PublishedBuilds.SingleFile)]
    [DataRow(PublishedBuilds.Aot)]
    public async Task Executable_NoDotnet_NotifiesGreetsRelaysAndStops(string build)
    {
        var staged = await PublishedBuilds.GetAsync(build);
        using var folder = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = Start(staged, folder, new() { ["NOTIFY_SOCKET"] = systemd.Address, ["WATCHDOG_USEC"] = "1000000" });

        var uri = new Uri($"ws://127.0.0.1:{PortOf(await systemd.WaitForAsync("READY=1"))}/chat");
        var (alice, greeting) = await ChatClient.JoinAsync(uri);
        var (bob, _) = await ChatClient.JoinAsync(uri);
        await using (alice)
        await using (bob)
        {
            Assert.StartsWith("You are connected!", greeting);
            await alice.SendTextAsync("published");
            await alice.ReceiveUntilAsync(t => t.EndsWith("]: published", StringComparison.Ordinal));
            await bob.ReceiveUntilAsync(t => t.EndsWith("]: published", StringComparison.Ordinal));
            await systemd.WaitForAsync("WATCHDOG=1");
        }

        daemon.Signal("TERM");
        await systemd.WaitForAsync("STOPPING=1");
        Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)), daemon.Output);
        Assert.IsNotEmpty(Directory.GetFiles(folder.Path, "fleckchat-*.log"));
    }

    [TestMethod]
    [DataRow(PublishedBuilds.SingleFile)]
    [DataRow(PublishedBuilds.Aot)]
    public async Task Executable_WithRedis_TwoNodesOneChat(string build)
    {
        var staged = await PublishedBuilds.GetAsync(build);
        await using var redis = await RedisServer.StartAsync();
        using var firstFolder = TempFolder.ForCaller();
        using var secondFolder = TempFolder.ForCaller();
        await using var first = Start(staged, firstFolder, [], "--redis", redis.EndPoint);
        await using var second = Start(staged, secondFolder, [], "--redis", redis.EndPoint);
        var ports = new List<string>();
        foreach (var node in new[] { first, second })
        {
            ports.Add((await node.WaitForLineAsync(DaemonProcess.ListeningLine())).Groups[1].Value);
            await node.WaitForLineAsync(ConnectedToRedis());
        }

        var (alice, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{ports[0]}/chat?name=alice"));
        var (bob, greeting) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{ports[1]}/chat?name=bob"));
        await using (alice)
        await using (bob)
        {
            Assert.AreEqual("You are connected! There are 2 users here.", greeting);
            await alice.SendTextAsync("across nodes");
            Assert.AreEqual("[alice]: across nodes", await bob.ReceiveUntilAsync(t => t.StartsWith('[')));
            await bob.SendTextAsync("/whisper alice back");
            Assert.AreEqual("[bob -> alice]: back", await alice.ReceiveUntilAsync(t => t.StartsWith("[bob", StringComparison.Ordinal)));
        }
    }

    [TestMethod]
    [DataRow(PublishedBuilds.SingleFile)]
    [DataRow(PublishedBuilds.Aot)]
    public async Task Executable_FullChainCertificate_ServesWss(string build)
    {
        var staged = await PublishedBuilds.GetAsync(build);
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: true);
        await using var daemon = Start(staged, folder, [], "--cert", certificate, "--key", key);

        var listening = await daemon.WaitForLineAsync(DaemonProcess.ListeningLine());
        var (client, greeting) = await ChatClient.JoinAsync(new Uri($"wss://127.0.0.1:{listening.Groups[1].Value}/chat"),
            o => o.RemoteCertificateValidationCallback = chain.TrustRootOnly());
        await using (client)
        {
            Assert.StartsWith("You are connected!", greeting);
        }
    }

    [TestMethod]
    [DataRow(PublishedBuilds.SingleFile)]
    [DataRow(PublishedBuilds.Aot)]
    public async Task Executable_SocketActivated_ServesTheInheritedSocket(string build)
    {
        string activate = SystemTools.Require("systemd-socket-activate", "systemd");
        var staged = await PublishedBuilds.GetAsync(build);
        using var folder = TempFolder.ForCaller();
        var (started, port) = SocketActivated.Start(activate, [staged.Executable, "--log-dir", folder.Path],
            new Dictionary<string, string> { ["PATH"] = folder.Path }, folder.Path, onlyGivenEnvironment: true);
        await using var daemon = started;
        await daemon.WaitForLineAsync(new Regex($@"Listening on 127\.0\.0\.1:{port} as 3"));

        var (client, greeting) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
        await using (client)
        {
            Assert.StartsWith("You are connected!", greeting);
            Assert.Contains("Socket activation", (await daemon.WaitForLineAsync(new Regex("Socket activation"))).Value);
        }
    }

    /// <summary>The executable with an environment that has no .NET in it: PATH is an empty folder.</summary>
    [TestMethod]
    public async Task SingleFile_ReadyToRun_RunsItsPrecompiledCodeWithoutTiering()
    {
        var staged = await PublishedBuilds.GetAsync(PublishedBuilds.SingleFile);

        // The bundle carries its runtimeconfig.json as plain text.
        var bundle = File.ReadAllBytes(staged.Executable);

        Assert.IsGreaterThanOrEqualTo(0, bundle.AsSpan().IndexOf("\"System.Runtime.TieredCompilation\": false"u8),
            "no tier-1 recompilation in the background on a one-CPU daemon (docs/performance.md)");
    }

    private static DaemonProcess Start(StagedInstall staged, TempFolder folder, Dictionary<string, string> environment, params string[] extraArgs)
    {
        string emptyPath = Path.Combine(folder.Path, "empty-path");
        Directory.CreateDirectory(emptyPath);
        environment["PATH"] = emptyPath;
        environment["HOME"] = folder.Path;
        return DaemonProcess.StartCommand(staged.Executable, ["--port", "0", "--bind", "127.0.0.1", "--log-dir", folder.Path, .. extraArgs],
            environment, folder.Path, onlyGivenEnvironment: true);
    }

    private static int PortOf(string notification) =>
        int.Parse(StatusPort().Match(notification).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"STATUS=\d+ connections on wss?://[^:]+:(\d+)/")]
    private static partial Regex StatusPort();

    [GeneratedRegex(@"Connected to Redis at ""?127\.0\.0\.1:\d+")]
    private static partial Regex ConnectedToRedis();
}
