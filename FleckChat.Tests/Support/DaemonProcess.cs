using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FleckChat.Tests.Support;

/// <summary>The real daemon as a child process (<c>dotnet fleckchat.dll ...</c>), with its output captured line by line.</summary>
internal sealed partial class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errorLines = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly object _gate = new();

    private DaemonProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _lines);

    /// <summary>What it wrote on stderr alone (<see cref="Output"/> holds it too).</summary>
    public string ErrorOutput => string.Join('\n', _errorLines);

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "fleckchat.dll");

    /// <summary>The command line that runs the daemon: <c>dotnet fleckchat.dll</c>.</summary>
    public static string[] DaemonCommand => [DotnetHost, DllPath];

    public static DaemonProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        StartCommand(DotnetHost, [DllPath, .. args], environment, workingDirectory);

    /// <summary>
    /// Any command line: a published executable, or the daemon behind another program. With
    /// <paramref name="onlyGivenEnvironment"/>, the process gets no variable but those given.
    /// </summary>
    public static DaemonProcess StartCommand(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool onlyGivenEnvironment = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        if (onlyGivenEnvironment)
        {
            info.Environment.Clear();
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                daemon._errorLines.Enqueue(e.Data);
            }

            daemon.OnLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Runs the daemon to completion (for command-line errors) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var daemon = Start(args);
        int code = await daemon.WaitForExitAsync(Wait.Timeout);
        return (code, daemon.Output);
    }

    /// <summary>Starts the daemon on a free port of 127.0.0.1 and waits until it says where it listens.</summary>
    public static async Task<(DaemonProcess Daemon, int Port)> StartListeningAsync(string logDir, params string[] extraArgs)
    {
        var daemon = Start(["--port", "0", "--bind", "127.0.0.1", "--log-dir", logDir, .. extraArgs]);
        var match = await daemon.WaitForLineAsync(ListeningLine());
        return (daemon, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<Match> WaitForLineAsync(Regex pattern)
    {
        try
        {
            return await Watch(pattern).Task.WaitAsync(Wait.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line matching /{pattern}/ in:\n{Output}");
        }
    }

    /// <summary>
    /// The first line that matches, or null when the process exits without writing one (for a
    /// server that either says it is ready or exits saying why it could not start).
    /// </summary>
    public async Task<Match?> WaitForLineOrExitAsync(Regex pattern)
    {
        var found = Watch(pattern);
        try
        {
            await Task.WhenAny(found.Task, _process.WaitForExitAsync()).WaitAsync(Wait.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line matching /{pattern}/ and no exit in:\n{Output}");
        }

        if (!found.Task.IsCompleted)
        {
            // Exited: WaitForExit() without a timeout drains the last lines, which may still match.
            _process.WaitForExit();
            lock (_gate)
            {
                _waiters.RemoveAll(waiter => waiter.Found == found);
            }
        }

        return found.Task.IsCompleted ? await found.Task : null;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public Task<int> WaitForExitAsync(TimeSpan timeout) => ChildProcesses.WaitForExitAsync(_process, timeout);

    public ValueTask DisposeAsync() => ChildProcesses.KillAndDisposeAsync(_process);

    [GeneratedRegex(@"listening on wss?://[^ ]+:(\d+)/")]
    public static partial Regex ListeningLine();

    public static string DotnetHost =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>A waiter for the first line matching, already complete when a line seen so far matches.</summary>
    private TaskCompletionSource<Match> Watch(Regex pattern)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    found.SetResult(match);
                    return found;
                }
            }

            _waiters.Add((pattern, found));
        }

        return found;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Pattern.Match(line) is { Success: true } match)
                {
                    waiter.Found.TrySetResult(match);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
