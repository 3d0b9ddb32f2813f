using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>Every daemon option is in the env file install.sh writes (with its default) and in the README's table.</summary>
[TestClass]
public sealed partial class EnvironmentFileTests
{
    [TestMethod]
    public async Task EnvironmentFile_EveryOptionOfHelp_CommentedWithItsDefault()
    {
        var options = await OptionsAsync();
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Deploy, "fleckchat.env"));

        Assert.IsGreaterThanOrEqualTo(19, options.Count);
        foreach (var (_, variable, defaultValue) in options)
        {
            // The connection cap follows the open-files limit: the file gives it for the unit's LimitNOFILE=65536.
            string expected = variable == "FLECKCHAT_MAX_CONNECTIONS"
                ? FleckChat.Limits.DescriptorLimit.DefaultMaxConnections(65536).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : defaultValue;
            Assert.Contains($"#{variable}={expected}", lines, $"{variable} with its default {expected}");
        }

        Assert.IsTrue(lines.All(l => l.Length == 0 || l.StartsWith('#')), "nothing is set: every line is a comment");
    }

    [TestMethod]
    public async Task Readme_OptionsTable_ListsEveryOption()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        foreach (var (flag, variable, _) in await OptionsAsync())
        {
            Assert.Contains($"| `{flag}` | `{variable}`", readme);
        }
    }

    private static async Task<List<(string Flag, string Variable, string Default)>> OptionsAsync()
    {
        var (code, help) = await DaemonProcess.RunAsync("--help");
        Assert.AreEqual(0, code, help);
        return [.. HelpOption().Matches(help).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value))];
    }

    [GeneratedRegex(@"^\s+(--[a-z-]+) <[^>]+>.*\[env: (FLECKCHAT_[A-Z_]+)[^\]]*\](?: \[default: ([^\]]*)\])?", RegexOptions.Multiline)]
    private static partial Regex HelpOption();
}
