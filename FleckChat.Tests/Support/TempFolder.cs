using System.Runtime.CompilerServices;

namespace FleckChat.Tests.Support;

/// <summary>A per-test directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    private TempFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    public static TempFolder ForCaller([CallerMemberName] string caller = "") =>
        new(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fleckchat-tests", caller + "-" + Guid.NewGuid().ToString("N")[..8]));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A log file still being closed: the temp folder is cleaned by the system eventually.
        }
    }
}
