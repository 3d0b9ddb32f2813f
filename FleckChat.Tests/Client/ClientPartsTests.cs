using FleckChat.Client;

namespace FleckChat.Tests.Client;

[TestClass]
public sealed class ClientPartsTests
{
    [TestMethod]
    [DataRow("ws://127.0.0.1:8080/chat", null, "ws://127.0.0.1:8080/chat")]
    [DataRow("ws://127.0.0.1:8080/chat", "alice", "ws://127.0.0.1:8080/chat?name=alice")]
    [DataRow("ws://h:1/chat/dev?x=1", "bö b&c", "ws://h:1/chat/dev?x=1&name=b%C3%B6%20b%26c")]
    [DataRow("ws://h:1/chat?name=b%C3%B6b", "böb", "ws://h:1/chat?name=b%C3%B6b")]
    public void ConnectUrl_NameBecomesQuery(string url, string? name, string expected) =>
        Assert.AreEqual(expected, new ClientOptions { Url = new Uri(url), Name = name }.ConnectUrl.AbsoluteUri);

    [TestMethod]
    public void Sanitize_EscapeSequencesAndCarriageReturn_Replaced_NewlineAndTabKept()
    {
        Assert.AreEqual("\uFFFD]0;pwned\u0007".Replace('\u0007', '\uFFFD') + "\tok\nline\uFFFDx",
            TerminalText.Sanitize("\u001b]0;pwned\u0007\tok\nline\rx"));
    }

    [TestMethod]
    public void Sanitize_PlainText_SameInstance()
    {
        string text = "[alice]: hello";

        Assert.AreSame(text, TerminalText.Sanitize(text));
    }

    [TestMethod]
    public void Parse_EnvironmentSetsClientOptions_FlagWins()
    {
        var env = new Dictionary<string, string> { ["FLECKCHAT_CLIENT_URL"] = "ws://127.0.0.9:9/chat", ["FLECKCHAT_CLIENT_NAME"] = "env", ["FLECKCHAT_CLIENT_WAIT"] = "1.5" };
        var commandLine = new ClientCommandLine(n => env.GetValueOrDefault(n));
        var root = new System.CommandLine.RootCommand { commandLine.Command };

        var fromEnv = commandLine.Read(root.Parse(["client"]));
        var fromFlags = commandLine.Read(root.Parse(["client", "ws://127.0.0.1:1/x", "--name", "flag", "--wait", "0"]));

        Assert.AreEqual(new Uri("ws://127.0.0.9:9/chat"), fromEnv.Url);
        Assert.AreEqual("env", fromEnv.Name);
        Assert.AreEqual(TimeSpan.FromSeconds(1.5), fromEnv.Wait);
        Assert.AreEqual(new Uri("ws://127.0.0.1:1/x"), fromFlags.Url);
        Assert.AreEqual("flag", fromFlags.Name);
        Assert.AreEqual(TimeSpan.Zero, fromFlags.Wait);
    }

    [TestMethod]
    [DataRow("ws://h:1/chat?name=bob", "--name", "alice", "--name alice and ?name=bob in the URL disagree: give the name once")]
    [DataRow("ws://h:1/chat?x=1&name=bob", null, null, "FLECKCHAT_CLIENT_NAME=env and ?name=bob in the URL disagree: give the name once")]
    public void NameConflict_NameInUrlAndOptionDiffer_Said(string url, string? flag, string? name, string expected)
    {
        var env = new Dictionary<string, string> { ["FLECKCHAT_CLIENT_NAME"] = "env" };
        var commandLine = new ClientCommandLine(n => env.GetValueOrDefault(n));
        var root = new System.CommandLine.RootCommand { commandLine.Command };

        var result = root.Parse(flag is null ? ["client", url] : ["client", url, flag, name!]);

        Assert.IsEmpty(result.Errors);
        Assert.AreEqual(expected, commandLine.NameConflict(result));
    }

    [TestMethod]
    public void NameConflict_SameNameInUrlAndOption_NoneAndNameOnce()
    {
        var commandLine = new ClientCommandLine(_ => null);
        var root = new System.CommandLine.RootCommand { commandLine.Command };

        var result = root.Parse(["client", "ws://h:1/chat?name=bob", "--name", "bob"]);

        Assert.IsNull(commandLine.NameConflict(result));
        Assert.AreEqual("ws://h:1/chat?name=bob", commandLine.Read(result).ConnectUrl.AbsoluteUri);
    }
}
