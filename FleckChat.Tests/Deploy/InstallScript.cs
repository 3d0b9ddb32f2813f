using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>Runs install.sh; stages with a stand-in executable when the test is about the files around it.</summary>
internal static class InstallScript
{
    public static Task<CommandResult> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    public static Task<CommandResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment) =>
        Command.RunAsync("bash", [RepositoryPaths.InstallScript, .. arguments], environment);

    /// <summary><c>install.sh --destdir ROOT --binary STAND-IN ...</c>, which must succeed.</summary>
    public static async Task<StagedInstall> StageAsync(TempFolder folder, params string[] options)
    {
        string root = Path.Combine(folder.Path, "root");
        var result = await RunAsync(["--destdir", root, "--binary", StandIn(folder), .. options]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return new StagedInstall(root, result);
    }

    /// <summary>An executable that is not FleckChat (its content tells which one got installed).</summary>
    public static string StandIn(TempFolder folder, string marker = "stand-in")
    {
        string path = Path.Combine(folder.Path, $"fleckchat-{marker}");
        File.WriteAllText(path, $"#!/bin/sh\n# {marker}\nexit 0\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("install.sh is for Linux");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>The value of a unit setting (the last one when repeated), or null.</summary>
    public static string? Setting(string unitFile, string name) => Settings(unitFile, name) is { Count: > 0 } values ? values[^1] : null;

    /// <summary>Every value of a setting that may be given several times (Environment=).</summary>
    public static IReadOnlyList<string> Settings(string unitFile, string name) =>
        [.. File.ReadLines(unitFile).Where(l => l.StartsWith(name + "=", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..])];
}
