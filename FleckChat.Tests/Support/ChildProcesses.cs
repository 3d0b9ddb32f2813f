using System.Diagnostics;

namespace FleckChat.Tests.Support;

/// <summary>What every child process a test starts needs at its end: a bounded wait for its exit, and a kill if it is still running.</summary>
internal static class ChildProcesses
{
    public static async Task<int> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    public static async ValueTask KillAndDisposeAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
