using System.Diagnostics;

namespace FleckChat.Tests.Support;

/// <summary>
/// <c>fleckchat client ...</c> as a child process with its three standard streams piped, as a
/// script would run it; standard output and standard error are captured apart, line by line.
/// </summary>
internal sealed class ClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource Seen)> _waiters = [];
    private readonly object _gate = new();

    private ClientProcess(Process process) => _process = process;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr];
            }
        }
    }

    public static ClientProcess Start(params string[] args)
    {
        var info = NewStartInfo(DaemonProcess.DotnetHost);
        info.ArgumentList.Add(DaemonProcess.DllPath);
        info.ArgumentList.Add("client");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Start(info);
    }

    /// <summary>
    /// The client at a terminal, as a person runs it: inside a pseudo-terminal made by util-linux
    /// <c>script</c>, which passes what is written here to the terminal as typed keys (escape
    /// sequences included) and the terminal's output (prompt, redraws) back as standard output.
    /// </summary>
    public static ClientProcess StartInTerminal(params string[] args)
    {
        var info = NewStartInfo(SystemTools.Require("script", "util-linux"));
        info.Environment["TERM"] = "xterm";
        // script runs the command through $SHELL -c; exec makes the client the terminal's only process, so
        // Ctrl-C reaches it alone (dash, as /bin/sh, would otherwise die of the SIGINT itself: exit 130).
        string command = "exec " + string.Join(' ', new[] { DaemonProcess.DotnetHost, DaemonProcess.DllPath, "client" }.Concat(args).Select(a => $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        foreach (var arg in new[] { "--quiet", "--flush", "--return", "--command", command, "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }

        return Start(info);
    }

    private static ProcessStartInfo NewStartInfo(string fileName) => new(fileName)
    {
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
        WorkingDirectory = AppContext.BaseDirectory,
    };

    private static ClientProcess Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info };
        var client = new ClientProcess(process);
        process.OutputDataReceived += (_, e) => client.OnLine(e.Data, client._stdout);
        process.ErrorDataReceived += (_, e) => client.OnLine(e.Data, client._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>Runs the client with all of <paramref name="input"/> on standard input, then end of input, to its exit.</summary>
    public static async Task<(int ExitCode, ClientProcess Client)> RunAsync(string input, params string[] args)
    {
        var client = Start(args);
        await client.WriteAsync(input);
        client.EndInput();
        return (await client.WaitForExitAsync(), client);
    }

    public async Task WriteAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text).Bounded();
        await _process.StandardInput.FlushAsync().Bounded();
    }

    public void EndInput() => _process.StandardInput.Close();

    /// <summary>Waits (bounded) until standard output has the exact line.</summary>
    public Task WaitForLineAsync(string line) => WaitForAsync(l => l == line, $"no line '{line}'");

    /// <summary>
    /// Waits (bounded) until a line of standard output contains <paramref name="text"/>: at a terminal,
    /// a printed line comes with the escape sequences and prompt of the line editor around it.
    /// </summary>
    public Task WaitForTextAsync(string text) => WaitForAsync(l => l.Contains(text, StringComparison.Ordinal), $"no '{text}'");

    private async Task WaitForAsync(Func<string, bool> matches, string missing)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stdout.Any(matches))
            {
                return;
            }

            _waiters.Add((matches, seen));
        }

        try
        {
            await seen.Task.Bounded();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{missing} in:\n{Stdout}\nstderr:\n{string.Join('\n', StderrLines)}");
        }
    }

    public Task<int> WaitForExitAsync() => ChildProcesses.WaitForExitAsync(_process, Wait.Timeout);

    public ValueTask DisposeAsync() => ChildProcesses.KillAndDisposeAsync(_process);

    private void OnLine(string? line, List<string> into)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.Add(line);
            if (into == _stdout)
            {
                foreach (var waiter in _waiters.Where(w => w.Matches(line)).ToArray())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
