namespace FleckChat.Tests.Support;

/// <summary>Files of the checkout the tests run from (install.sh, deploy/, README.md).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string InstallScript => Path.Combine(Root, "install.sh");

    public static string Deploy => Path.Combine(Root, "deploy");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "install.sh")) && File.Exists(Path.Combine(directory.FullName, "FleckChat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no checkout (install.sh, FleckChat.sln) above {AppContext.BaseDirectory}");
    }
}
