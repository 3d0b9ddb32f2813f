using System.Net;
using FleckChat.Hosting;
using FleckChat.Limits;
using Serilog.Events;

namespace FleckChat.Tests.Hosting;

[TestClass]
public sealed class DaemonCommandLineTests
{
    private static (DaemonOptions? Options, string? Error) Parse(string[] args, Dictionary<string, string>? env = null)
    {
        var commandLine = new DaemonCommandLine(name => env is not null && env.TryGetValue(name, out var v) ? v : null);
        var result = commandLine.Command.Parse(args);
        return result.Errors.Count > 0 ? (null, result.Errors[0].Message) : (commandLine.Read(result), null);
    }

    [TestMethod]
    public void Parse_Nothing_Defaults()
    {
        var (options, _) = Parse([]);

        var defaults = new DaemonOptions();
        Assert.AreEqual(defaults with { Server = defaults.Server with { AllowedOrigins = options!.Server.AllowedOrigins } }, options);
        Assert.IsEmpty(options.Server.AllowedOrigins);
        Assert.AreEqual("ws://0.0.0.0:8080/chat", options.Location.ToString());
    }

    [TestMethod]
    public void Parse_EveryFlag()
    {
        var (options, error) = Parse(["--port", "9000", "--bind", "::", "--path", "/talk", "--max-message-bytes", "1000",
            "--log-dir", "/tmp/x", "--log-level", "debug"]);

        Assert.IsNull(error);
        Assert.AreEqual(9000, options!.Port);
        Assert.AreEqual(IPAddress.IPv6Any, options.Bind);
        Assert.AreEqual("/talk", options.Path);
        Assert.AreEqual(1000, options.Server.MaxMessageBytes);
        Assert.AreEqual("/tmp/x", options.LogDirectory);
        Assert.AreEqual(LogEventLevel.Debug, options.LogLevel);
        Assert.AreEqual("ws://[::]:9000/talk", options.Location.ToString());
    }

    [TestMethod]
    public void Parse_EnvironmentOnly_Used()
    {
        var (options, _) = Parse([], new() { ["FLECKCHAT_PORT"] = "7000", ["FLECKCHAT_LOG_LEVEL"] = "Warning" });

        Assert.AreEqual(7000, options!.Port);
        Assert.AreEqual(LogEventLevel.Warning, options.LogLevel);
    }

    [TestMethod]
    public void Parse_FlagAndEnvironment_FlagWins()
    {
        var (options, _) = Parse(["--port", "9001"], new() { ["FLECKCHAT_PORT"] = "7000" });

        Assert.AreEqual(9001, options!.Port);
    }

    [TestMethod]
    public void Parse_BadEnvironment_ErrorNamesVariable()
    {
        var (_, error) = Parse([], new() { ["FLECKCHAT_MAX_MESSAGE_BYTES"] = "lots" });

        Assert.StartsWith("FLECKCHAT_MAX_MESSAGE_BYTES: ", error);
    }

    [TestMethod]
    public void Parse_BadEnvironmentButFlagGiven_FlagWins()
    {
        var (options, error) = Parse(["--port", "1234"], new() { ["FLECKCHAT_PORT"] = "nope" });

        Assert.IsNull(error, error);
        Assert.AreEqual(1234, options!.Port);
    }

    [TestMethod]
    [DataRow("--port", "-1")]
    [DataRow("--port", "65536")]
    [DataRow("--bind", "localhost")]
    [DataRow("--path", "/with space")]
    [DataRow("--max-message-bytes", "10")]
    [DataRow("--log-level", "3")]
    public void Parse_InvalidValue_ErrorNamesFlag(string flag, string value)
    {
        var (_, error) = Parse([flag, value]);

        Assert.StartsWith(flag + ": ", error);
    }

    [TestMethod]
    public void Parse_ChatOptions()
    {
        var (options, error) = Parse(["--history", "5", "--max-text-bytes", "100", "--rate-limit", "20/10", "--flood-windows", "0",
            "--max-connections", "50", "--max-connections-per-ip", "0", "--idle-timeout", "600", "--join-notices", "off", "--max-rooms", "7"]);

        Assert.IsNull(error, error);
        Assert.AreEqual(5, options!.Chat.HistorySize);
        Assert.AreEqual(100, options.Chat.MaxTextBytes);
        Assert.AreEqual(RateLimit.PerSeconds(20, 10), options.Chat.RateLimit);
        Assert.AreEqual(0, options.Chat.FloodWindows);
        Assert.AreEqual(50, options.Server.MaxConnections);
        Assert.AreEqual(0, options.Server.MaxConnectionsPerIp);
        Assert.AreEqual(TimeSpan.FromSeconds(600), options.Chat.IdleTimeout);
        Assert.IsFalse(options.Chat.JoinNotices);
        Assert.AreEqual(7, options.Chat.MaxRooms);
    }

    [TestMethod]
    public void Parse_RateLimitZero_Off()
    {
        var (options, _) = Parse(["--rate-limit", "0"]);

        Assert.AreEqual(0, options!.Chat.RateLimit.Count);
    }

    [TestMethod]
    public void Parse_AllowedOrigins_RepeatedFlagOrCommaSeparatedVariable()
    {
        var (fromFlags, _) = Parse(["--allowed-origin", "https://a.example", "--allowed-origin", "http://b.example:8080/"]);
        var (fromEnv, _) = Parse([], new() { ["FLECKCHAT_ALLOWED_ORIGINS"] = "https://a.example, https://c.example" });

        CollectionAssert.AreEqual(new[] { "https://a.example", "http://b.example:8080" }, fromFlags!.Server.AllowedOrigins.ToArray());
        CollectionAssert.AreEqual(new[] { "https://a.example", "https://c.example" }, fromEnv!.Server.AllowedOrigins.ToArray());
    }

    [TestMethod]
    [DataRow("--rate-limit", "10")]
    [DataRow("--rate-limit", "ten/5")]
    [DataRow("--allowed-origin", "chat.example.org")]
    [DataRow("--allowed-origin", "https://x.example/path")]
    [DataRow("--join-notices", "maybe")]
    [DataRow("--history", "-1")]
    [DataRow("--idle-timeout", "soon")]
    public void Parse_InvalidChatValue_ErrorNamesFlag(string flag, string value)
    {
        var (_, error) = Parse([flag, value]);

        Assert.StartsWith(flag + ": ", error);
    }
}
