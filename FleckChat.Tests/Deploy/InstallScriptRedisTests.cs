using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>install.sh --redis, staged with --destdir: the setting it writes and the ordering the unit gets.</summary>
[TestClass]
public sealed class InstallScriptRedisTests
{
    [TestMethod]
    [DataRow("127.0.0.1:6379")]
    [DataRow("localhost")]
    [DataRow("LocalHost:6380,ssl=true")]
    [DataRow("[::1]:6379")]
    [DataRow("::1")]
    [DataRow("connectTimeout=2000,127.0.0.1:7000,10.0.0.2:7000")]
    public async Task Redis_OnThisMachine_WrittenAndUnitOrderedAfterRedisServer(string config)
    {
        using var folder = TempFolder.ForCaller();

        var staged = await InstallScript.StageAsync(folder, "--redis", config);

        Assert.Contains($"FLECKCHAT_REDIS={config}", File.ReadAllLines(staged.EnvironmentFile));
        CollectionAssert.AreEqual(new[] { "network.target", "redis-server.service" }, InstallScript.Settings(staged.ServiceUnit, "After").ToArray());
        Assert.AreEqual("redis-server.service", InstallScript.Setting(staged.ServiceUnit, "Wants"));
        Assert.DoesNotContain("@LOCALREDIS@", File.ReadAllText(staged.ServiceUnit));
    }

    [TestMethod]
    [DataRow("redis.example.org:6379")]
    [DataRow("10.0.0.2:6379,127.0.0.1:6379")]
    [DataRow("127.0.0.2:6379")]
    public async Task Redis_Elsewhere_WrittenUnitNotOrdered(string config)
    {
        using var folder = TempFolder.ForCaller();

        var staged = await InstallScript.StageAsync(folder, "--redis=" + config);

        Assert.Contains($"FLECKCHAT_REDIS={config}", File.ReadAllLines(staged.EnvironmentFile));
        CollectionAssert.AreEqual(new[] { "network.target" }, InstallScript.Settings(staged.ServiceUnit, "After").ToArray());
        Assert.IsNull(InstallScript.Setting(staged.ServiceUnit, "Wants"));
    }

    [TestMethod]
    public async Task Redis_None_SettingCommentedUnitNotOrdered()
    {
        using var folder = TempFolder.ForCaller();

        var staged = await InstallScript.StageAsync(folder);

        Assert.Contains("#FLECKCHAT_REDIS=", File.ReadAllLines(staged.EnvironmentFile));
        Assert.IsNull(InstallScript.Setting(staged.ServiceUnit, "Wants"));
        Assert.DoesNotContain("redis", File.ReadAllText(staged.ServiceUnit));
    }

    [TestMethod]
    public async Task Redis_WithPassword_SettingsFileReadableByRootOnly()
    {
        using var folder = TempFolder.ForCaller();
        const string Config = "127.0.0.1:6379,password=s3/cr&t|x,ssl=true";

        var staged = await InstallScript.StageAsync(folder, "--redis", Config);

        Assert.Contains($"FLECKCHAT_REDIS={Config}", File.ReadAllLines(staged.EnvironmentFile), "sed's special characters written as they are");
        Assert.Contains("etc/fleckchat/fleckchat.env 600", staged.Tree());
    }

    [TestMethod]
    public async Task Redis_ExistingSettings_KeptWithWarningUnitFollowsTheFile()
    {
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder);
        File.AppendAllText(staged.EnvironmentFile, "FLECKCHAT_REDIS=localhost:6379\n");

        var result = await InstallScript.RunAsync("--destdir", staged.Root, "--binary", InstallScript.StandIn(folder, "upgrade"),
            "--redis", "redis.example.org:6379");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.Contains("--redis: ", result.Error);
        Assert.Contains("set FLECKCHAT_REDIS there to use it", result.Error);
        Assert.DoesNotContain("FLECKCHAT_REDIS=redis.example.org:6379", File.ReadAllLines(staged.EnvironmentFile));
        Assert.AreEqual("redis-server.service", InstallScript.Setting(staged.ServiceUnit, "Wants"), "the file's Redis is on this machine");
    }

    [TestMethod]
    [DataRow("--redis", "--redis needs a value")]
    [DataRow("--redis=a b", "--redis: not a configuration string such as 127.0.0.1:6379 (no spaces, quotes or backslashes)")]
    [DataRow("--redis=127.0.0.1:6379,password=\"x\"", "--redis: not a configuration string such as 127.0.0.1:6379 (no spaces, quotes or backslashes)")]
    public async Task Redis_BadValue_OneLine_Exit2(string option, string message)
    {
        var result = await InstallScript.RunAsync(option);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.AreEqual($"install.sh: {message} (see ./install.sh --help)\n", result.Error);
    }

    [TestMethod]
    public async Task Help_ExplainsRedis()
    {
        var result = await InstallScript.RunAsync("--help");

        Assert.AreEqual(0, result.ExitCode);
        Assert.Contains("  --redis CONFIG", result.Output);
        Assert.Contains("redis-server.service", result.Output);
    }
}
