namespace FleckChat.Tests.Support;

/// <summary>
/// The daemon as install.sh publishes it, staged once per test run with <c>install.sh --destdir</c>
/// (a self-contained single-file build, and a NativeAOT build) and shared by every test that needs
/// it. Publishing runs one at a time: each takes both cores for a while.
/// </summary>
internal static class PublishedBuilds
{
    public const string SingleFile = "single-file";
    public const string Aot = "aot";

    /// <summary>Publishing is slow on a busy 2-core machine (NativeAOT most of all).</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(6);

    private static readonly string Directory = Path.Combine(Path.GetTempPath(), "fleckchat-tests", "published-" + Guid.NewGuid().ToString("N")[..8]);
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private static readonly Lazy<Task<StagedInstall>> SingleFileBuild = new(() => StageAsync(SingleFile));
    private static readonly Lazy<Task<StagedInstall>> AotBuild = new(() => StageAsync(Aot, "--aot"));

    /// <summary>The staged tree of a build; inconclusive when the machine lacks what that build needs.</summary>
    public static Task<StagedInstall> GetAsync(string build)
    {
        if (build == Aot)
        {
            SystemTools.Require("clang", "clang zlib1g-dev");
        }

        return (build == Aot ? AotBuild : SingleFileBuild).Value;
    }

    public static void Delete()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static async Task<StagedInstall> StageAsync(string build, params string[] options)
    {
        await OneAtATime.WaitAsync();
        try
        {
            string destdir = Path.Combine(Directory, build);
            var result = await Command.RunAsync("bash", [RepositoryPaths.InstallScript, "--destdir", destdir, .. options], timeout: PublishTimeout);
            Assert.AreEqual(0, result.ExitCode, $"install.sh --destdir {string.Join(' ', options)} failed:\n{result}");
            return new StagedInstall(destdir, result);
        }
        finally
        {
            OneAtATime.Release();
        }
    }
}

/// <summary>What <c>install.sh --destdir DIR</c> staged, and what it said.</summary>
internal sealed record StagedInstall(string Root, CommandResult Result)
{
    public string Executable => Path.Combine(Root, "usr/local/bin/fleckchat");

    public string ServiceUnit => Path.Combine(Root, "etc/systemd/system/fleckchat.service");

    public string SocketUnit => Path.Combine(Root, "etc/systemd/system/fleckchat.socket");

    public string EnvironmentFile => Path.Combine(Root, "etc/fleckchat/fleckchat.env");

    /// <summary>Every file under the root, as relative paths with their mode, e.g. <c>usr/local/bin/fleckchat 755</c>.</summary>
    public IReadOnlyList<string> Tree()
    {
        var files = new List<string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(file);
            files.Add($"{Path.GetRelativePath(Root, file)} {Convert.ToString((int)mode, 8)}");
        }

        return [.. files.Order(StringComparer.Ordinal)];
    }
}
