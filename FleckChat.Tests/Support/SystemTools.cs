namespace FleckChat.Tests.Support;

/// <summary>
/// System tools some tests need and a fresh machine may lack. Missing, the test is inconclusive
/// and says which package brings the tool (.ci/run installs them all, and fails on inconclusive).
/// </summary>
internal static class SystemTools
{
    /// <returns>The tool's full path.</returns>
    public static string Require(string tool, string package)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Inconclusive($"{tool} is not installed: apt-get install -y {package}");
        return tool;
    }

    public static bool IsRoot => Environment.UserName == "root";
}
