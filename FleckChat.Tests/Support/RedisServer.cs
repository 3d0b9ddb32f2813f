using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace FleckChat.Tests.Support;

/// <summary>
/// A real redis-server: the test's own child process on 127.0.0.1, on a candidate port it could
/// bind (<see cref="CandidatePorts"/>: redis-server cannot listen on port 0 and say which port it
/// got), with its data directory in a temp folder. Stopped by PID, never through the system service.
/// </summary>
internal sealed partial class RedisServer : IAsyncDisposable
{
    /// <summary>A cluster node listens on its port + 10000 too: the cluster bus.</summary>
    private const int ClusterBusOffset = 10000;

    private readonly TempFolder _folder;
    private readonly RedisServerOptions _options;
    private DaemonProcess _process;
    private string _dataDirectory;
    private int _generation;
    private string _earlierOutput;

    private RedisServer(TempFolder folder, RedisServerOptions options, int port, DaemonProcess process, string dataDirectory, int generation,
        string earlierOutput)
    {
        _earlierOutput = earlierOutput;
        _folder = folder;
        _options = options;
        Port = port;
        _process = process;
        _dataDirectory = dataDirectory;
        _generation = generation;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as a Redis client's configuration takes it.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    public bool HasExited => _process.HasExited;

    /// <summary>Its log (stdout and stderr) since the first attempt to start it (on a port in use, maybe), for failure messages.</summary>
    public string Output => _earlierOutput + _process.Output;

    public static async Task<RedisServer> StartAsync(RedisServerOptions? options = null, [CallerMemberName] string caller = "")
    {
        options ??= new RedisServerOptions();
        SystemTools.Require("redis-server", "redis-server");
        SystemTools.Require("redis-cli", "redis-tools");
        var folder = TempFolder.ForCaller(caller);
        try
        {
            int generation = 0;
            var failedAttempts = new StringBuilder();
            return await CandidatePorts.StartAsync(
                async port =>
                {
                    // A fresh directory for each attempt: a cluster node that failed to bind has already written its nodes.conf.
                    string directory = DataDirectory(folder, ++generation);
                    var process = await TryStartAsync(port, directory, options, failedAttempts);
                    return process is null ? null : new RedisServer(folder, options, port, process, directory, generation, failedAttempts.ToString());
                },
                options.ClusterNode ? ClusterBusOffset : 0,
                options.FirstPort);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command through redis-cli (<c>QueryAsync("SET", "k", "v")</c>) and returns its reply as redis-cli prints it, trimmed.</summary>
    public Task<string> QueryAsync(params string[] command) => QueryAsync(Port, command);

    /// <summary>SIGTERM by PID (Redis saves what it persists and exits); killed if it has not exited within the bound.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.Signal("TERM");
        try
        {
            await _process.WaitForExitAsync(Wait.Timeout);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>SIGSTOP by PID: connections stay open, nothing is answered until <see cref="Thaw"/>.</summary>
    public void Freeze() => _process.Signal("STOP");

    /// <summary>SIGCONT by PID: answers again, in order.</summary>
    public void Thaw() => _process.Signal("CONT");

    /// <summary>SIGKILL by PID: a crash, nothing saved on the way out.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Signal("KILL");
        }

        await _process.WaitForExitAsync(Wait.Timeout);
    }

    /// <summary>
    /// Stops it (unless already stopped or killed) and starts it again on the same port: with the
    /// same data directory, or with a fresh one (the old one deleted).
    /// </summary>
    public async Task RestartAsync(bool keepData)
    {
        await StopAsync();
        _earlierOutput = Output + "\n--- restart\n";
        await _process.DisposeAsync();
        if (!keepData)
        {
            string old = _dataDirectory;
            _dataDirectory = DataDirectory(_folder, ++_generation);
            Directory.Delete(old, recursive: true);
        }

        _process = await TryStartAsync(Port, _dataDirectory, _options, new StringBuilder())
            ?? throw new InvalidOperationException($"port {Port} was taken while redis-server was down:\n{Output}");
    }

    public Task<Match> WaitForLineAsync(Regex pattern) => _process.WaitForLineAsync(pattern);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>redis-cli against 127.0.0.1:<paramref name="port"/>; fails on an error reply (which redis-cli prints as <c>ERR ...</c>).</summary>
    public static async Task<string> QueryAsync(int port, IEnumerable<string> arguments, bool followRedirects = false)
    {
        string[] options = followRedirects ? ["-c"] : [];
        var result = await Command.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. options, .. arguments]);
        string reply = result.Output.Trim();
        if (result.ExitCode != 0 || ErrorReply().IsMatch(reply))
        {
            throw new InvalidOperationException($"redis-cli -p {port} {string.Join(' ', arguments)}: {result}");
        }

        return reply;
    }

    private static string DataDirectory(TempFolder folder, int generation) => Path.Combine(folder.Path, "data-" + generation.ToString(CultureInfo.InvariantCulture));

    /// <returns>The running server, or null when its port (or cluster bus port) was in use, its output then added to <paramref name="failedAttempts"/>.</returns>
    private static async Task<DaemonProcess?> TryStartAsync(int port, string directory, RedisServerOptions options, StringBuilder failedAttempts)
    {
        Directory.CreateDirectory(directory);
        var process = DaemonProcess.StartCommand("redis-server", Arguments(port, directory, options), workingDirectory: directory);
        if (await process.WaitForLineOrExitAsync(ReadyLine()) is not null)
        {
            try
            {
                string pong = await QueryAsync(port, ["PING"]);
                return pong == "PONG" ? process : throw new InvalidOperationException($"redis-server on port {port} answered PING with {pong}:\n{process.Output}");
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }

        await process.DisposeAsync();
        if (!process.Output.Contains("Address already in use", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-server on port {port} exited at start:\n{process.Output}");
        }

        failedAttempts.Append(CultureInfo.InvariantCulture, $"{process.Output}\n--- port {port} was in use\n");
        return null;
    }

    private static List<string> Arguments(int port, string directory, RedisServerOptions options)
    {
        List<string> arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
            "--daemonize", "no", "--logfile", "", "--save", "",
        ];
        arguments.AddRange(options.Persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]);
        if (options.ClusterNode)
        {
            arguments.AddRange(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"]);
        }

        return arguments;
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();

    /// <summary>redis-cli, its output not a terminal, prints an error reply bare: <c>ERR ...</c>, <c>CLUSTERDOWN ...</c>, <c>MOVED ...</c>.</summary>
    [GeneratedRegex(@"^(ERR|WRONGTYPE|CLUSTERDOWN|MOVED|ASK|CROSSSLOT|TRYAGAIN|NOAUTH|LOADING|MASTERDOWN|READONLY)\b")]
    private static partial Regex ErrorReply();
}
