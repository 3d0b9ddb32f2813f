using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>install.sh, staged with --destdir: nothing on this machine is installed or started.</summary>
[TestClass]
public sealed class InstallScriptTests
{
    private static readonly string[] ExpectedTree =
    [
        "etc/fleckchat/fleckchat.env 644",
        "etc/systemd/system/fleckchat.service 644",
        "usr/local/bin/fleckchat 755",
    ];

    [TestMethod]
    [DataRow(PublishedBuilds.SingleFile)]
    [DataRow(PublishedBuilds.Aot)]
    public async Task Destdir_Publishes_StagesExactlyTheExpectedTree(string build)
    {
        var staged = await PublishedBuilds.GetAsync(build);

        CollectionAssert.AreEqual(ExpectedTree, staged.Tree().ToArray(), string.Join('\n', staged.Tree()));
        Assert.AreEqual(File.ReadAllText(Path.Combine(RepositoryPaths.Deploy, "fleckchat.env")), File.ReadAllText(staged.EnvironmentFile));
        Assert.AreEqual("/usr/local/bin/fleckchat --log-dir ${LOGS_DIRECTORY}", InstallScript.Setting(staged.ServiceUnit, "ExecStart"));
        Assert.AreEqual(build == PublishedBuilds.Aot ? "yes" : null, InstallScript.Setting(staged.ServiceUnit, "MemoryDenyWriteExecute"));
        CollectionAssert.AreEqual("\u007fELF"u8.ToArray(), File.ReadAllBytes(staged.Executable)[..4], "a native executable");
        Assert.Contains("systemctl was not called", staged.Result.Output);
        Assert.DoesNotMatchRegex(new System.Text.RegularExpressions.Regex("@[A-Z_]+@"), File.ReadAllText(staged.ServiceUnit), "every placeholder filled in");
    }

    [TestMethod]
    public async Task Destdir_Default_NoCapabilitiesAndPrivateUsers()
    {
        using var folder = TempFolder.ForCaller();

        var staged = await InstallScript.StageAsync(folder);

        Assert.AreEqual("", InstallScript.Setting(staged.ServiceUnit, "CapabilityBoundingSet"));
        Assert.AreEqual("", InstallScript.Setting(staged.ServiceUnit, "AmbientCapabilities"));
        Assert.AreEqual("yes", InstallScript.Setting(staged.ServiceUnit, "PrivateUsers"));
        Assert.AreEqual("yes", InstallScript.Setting(staged.ServiceUnit, "DynamicUser"));
        CollectionAssert.AreEqual(new[] { "HOME=/nonexistent", "DOTNET_GCgen0size=100000" },
            InstallScript.Settings(staged.ServiceUnit, "Environment").ToArray(), ".NET's TLS needs a $HOME; a small young generation keeps idle members small");
        Assert.IsNull(InstallScript.Setting(staged.ServiceUnit, "Requires"));
        Assert.IsNull(InstallScript.Setting(staged.ServiceUnit, "MemoryDenyWriteExecute"));
    }

    [TestMethod]
    public async Task Destdir_PortBelow1024_OnlyNetBindServiceCapability()
    {
        using var folder = TempFolder.ForCaller();

        var staged = await InstallScript.StageAsync(folder, "--port", "443", "--bind", "::");

        Assert.AreEqual("CAP_NET_BIND_SERVICE", InstallScript.Setting(staged.ServiceUnit, "CapabilityBoundingSet"));
        Assert.AreEqual("CAP_NET_BIND_SERVICE", InstallScript.Setting(staged.ServiceUnit, "AmbientCapabilities"));
        // A capability in a user namespace of its own would not reach the host's ports.
        Assert.IsNull(InstallScript.Setting(staged.ServiceUnit, "PrivateUsers"));
        var settings = File.ReadAllLines(staged.EnvironmentFile);
        Assert.Contains("FLECKCHAT_PORT=443", settings);
        Assert.Contains("FLECKCHAT_BIND=::", settings);
    }

    [TestMethod]
    public async Task DestdirSocket_AlsoStagesTheSocketUnitWhichHoldsThePort()
    {
        using var folder = TempFolder.ForCaller();

        var staged = await InstallScript.StageAsync(folder, "--socket", "--port", "80", "--bind", "127.0.0.1");

        CollectionAssert.AreEqual(
            new[] { "etc/fleckchat/fleckchat.env 644", "etc/systemd/system/fleckchat.service 644", "etc/systemd/system/fleckchat.socket 644", "usr/local/bin/fleckchat 755" },
            staged.Tree().ToArray());
        Assert.AreEqual("127.0.0.1:80", InstallScript.Setting(staged.SocketUnit, "ListenStream"));
        Assert.AreEqual("fleckchat.socket", InstallScript.Setting(staged.ServiceUnit, "Requires"));
        Assert.AreEqual("", InstallScript.Setting(staged.ServiceUnit, "CapabilityBoundingSet"), "systemd binds the port, not the daemon");
        Assert.AreEqual(File.ReadAllText(Path.Combine(RepositoryPaths.Deploy, "fleckchat.env")), File.ReadAllText(staged.EnvironmentFile));
    }

    [TestMethod]
    public async Task Destdir_Rerun_KeepsTheSettingsReplacesTheRest()
    {
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder, "--socket");
        File.AppendAllText(staged.EnvironmentFile, "FLECKCHAT_LOG_LEVEL=Debug\n");
        string pristineUnit = File.ReadAllText(staged.ServiceUnit);
        File.AppendAllText(staged.ServiceUnit, "# edited by hand\n");

        var result = await InstallScript.RunAsync("--destdir", staged.Root, "--binary", InstallScript.StandIn(folder, "upgrade"), "--port", "9000");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains("FLECKCHAT_LOG_LEVEL=Debug", File.ReadAllLines(staged.EnvironmentFile));
        Assert.Contains("Kept", result.Output);
        Assert.Contains("--port 9000: ", result.Error);
        Assert.Contains("set FLECKCHAT_PORT=9000 there", result.Error);
        Assert.AreEqual(pristineUnit.Replace("Requires=fleckchat.socket\nAfter=fleckchat.socket\n", "", StringComparison.Ordinal),
            File.ReadAllText(staged.ServiceUnit));
        Assert.Contains("# upgrade", File.ReadAllText(staged.Executable));
        Assert.IsFalse(File.Exists(staged.SocketUnit), "installed without --socket now: the socket unit goes");
    }

    [TestMethod]
    public async Task Uninstall_Destdir_RemovesServiceAndExecutableKeepsSettings()
    {
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder, "--socket", "--prefix", "/opt/fleckchat");
        Assert.IsTrue(File.Exists(Path.Combine(staged.Root, "opt/fleckchat/bin/fleckchat")));

        var result = await InstallScript.RunAsync("--uninstall", "--destdir", staged.Root);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        CollectionAssert.AreEqual(new[] { "etc/fleckchat/fleckchat.env 644" }, staged.Tree().ToArray());
        Assert.Contains("Kept your settings in /etc/fleckchat", result.Output);
    }

    [TestMethod]
    public async Task UninstallPurge_Destdir_RemovesEverything()
    {
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder);
        Directory.CreateDirectory(Path.Combine(staged.Root, "var/log/fleckchat"));
        File.WriteAllText(Path.Combine(staged.Root, "var/log/fleckchat/fleckchat-20260101.log"), "old log");

        var result = await InstallScript.RunAsync("--uninstall", "--purge", "--destdir", staged.Root);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.IsEmpty(staged.Tree());

        var again = await InstallScript.RunAsync("--uninstall", "--purge", "--destdir", staged.Root);
        Assert.AreEqual(0, again.ExitCode, "uninstalling twice is fine: " + again);
    }

    [TestMethod]
    public async Task Help_ExplainsEveryOption()
    {
        var result = await InstallScript.RunAsync("--help");

        Assert.AreEqual(0, result.ExitCode);
        foreach (var option in new[] { "--aot", "--binary", "--prefix", "--port", "--bind", "--socket", "--no-start", "--destdir", "--uninstall", "--purge", "DOTNET" })
        {
            Assert.Contains("  " + option, result.Output);
        }

        foreach (var command in new[] { "systemctl status fleckchat", "journalctl -u fleckchat -f", "/var/log/fleckchat" })
        {
            Assert.Contains(command, result.Output);
        }
    }

    [TestMethod]
    [DataRow("--frobnicate", "unknown option '--frobnicate'")]
    [DataRow("--port=70000", "--port: '70000' is not a port number (1-65535)")]
    [DataRow("--bind=example.org", "--bind: 'example.org' is not an IP address")]
    [DataRow("--purge", "--purge goes with --uninstall")]
    [DataRow("--destdir", "--destdir needs a value")]
    [DataRow("--binary=/nonexistent", "--binary: '/nonexistent' is not an executable file")]
    public async Task BadOption_OneLineNamingIt_Exit2(string option, string message)
    {
        var result = await InstallScript.RunAsync(option);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.AreEqual($"install.sh: {message} (see ./install.sh --help)\n", result.Error);
    }

    [TestMethod]
    public async Task NotRoot_SaysToUseSudo()
    {
        // install.sh alone, where an unprivileged user can read it.
        using var folder = TempFolder.ForCaller();
        string script = Path.Combine(folder.Path, "install.sh");
        File.Copy(RepositoryPaths.InstallScript, script);
        string[] command = SystemTools.IsRoot
            ? [SystemTools.Require("setpriv", "util-linux"), "--reuid=65534", "--regid=65534", "--clear-groups", "bash", script, "--no-start"]
            : ["bash", script, "--no-start"];

        var result = await Command.RunAsync(command[0], command[1..], workingDirectory: folder.Path);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.StartsWith("install.sh: installing a system service needs root: run sudo ./install.sh --no-start", result.Error);
        Assert.Contains("--destdir DIR, which needs no root", result.Error);
    }

    [TestMethod]
    public async Task NoDotnet_SaysWhatIsMissingAndTheWaysOut()
    {
        using var folder = TempFolder.ForCaller();

        var result = await InstallScript.RunAsync(["--destdir", folder.Path], new Dictionary<string, string?> { ["DOTNET"] = "/nonexistent/dotnet" });

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.StartsWith("install.sh: the .NET 10 SDK is needed to publish FleckChat, and '/nonexistent/dotnet' is not a command here.", result.Error);
        Assert.Contains("--binary FILE", result.Error);
        Assert.IsEmpty(Directory.GetFileSystemEntries(folder.Path), "nothing staged");
    }

    [TestMethod]
    public async Task Shellcheck_Scripts_Clean()
    {
        string shellcheck = SystemTools.Require("shellcheck", "shellcheck");
        string[] scripts = [RepositoryPaths.InstallScript, .. Directory.GetFiles(Path.Combine(RepositoryPaths.Deploy, "e2e"), "*.sh")];

        var result = await Command.RunAsync(shellcheck, ["--severity=style", .. scripts]);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains(Path.Combine(RepositoryPaths.Deploy, "e2e", "systemd-bed-test.sh"), scripts);
    }
}
