using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace FleckChat.Tests.Support;

/// <summary>
/// A real HAProxy load balancer in front of WebSocket servers on 127.0.0.1: HTTP mode, round robin,
/// each backend health-checked on <c>GET /healthz</c> every 200 ms (down after 2 failures, up after
/// 2 successes). Its frontend port is a candidate it could bind (<see cref="CandidatePorts"/>).
/// </summary>
internal sealed partial class HaProxy : IAsyncDisposable
{
    private const string Backend = "daemons";

    private readonly DaemonProcess _process;
    private readonly TempFolder _folder;
    private readonly string _statsSocket;
    private readonly string _earlierOutput;

    private HaProxy(DaemonProcess process, TempFolder folder, string statsSocket, int port, string earlierOutput)
    {
        _process = process;
        _folder = folder;
        _statsSocket = statsSocket;
        Port = port;
        _earlierOutput = earlierOutput;
    }

    /// <summary>The frontend's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Its log since the first attempt to start it (on a port in use, maybe), for failure messages.</summary>
    public string Output => _earlierOutput + _process.Output;

    public Uri WebSocketUri(string path = "/chat") => new($"ws://127.0.0.1:{Port}{path}");

    /// <param name="backendPorts">The backends, each on 127.0.0.1; each is named for its port in <see cref="BackendsAsync"/>.</param>
    /// <param name="firstPort">A port to try before the random candidates (tests of the retry on a port in use).</param>
    public static async Task<HaProxy> StartAsync(IReadOnlyList<int> backendPorts, int? firstPort = null, [CallerMemberName] string caller = "")
    {
        string executable = SystemTools.Require("haproxy", "haproxy");
        var folder = TempFolder.ForCaller(caller);

        // A Unix socket path must fit in sun_path (108 bytes): the temp folder's may not.
        string statsSocket = Path.Combine(Path.GetTempPath(), $"fc-haproxy-{Guid.NewGuid().ToString("N")[..12]}.sock");
        var failedAttempts = new StringBuilder();
        try
        {
            return await CandidatePorts.StartAsync(
                async port =>
                {
                    string config = Path.Combine(folder.Path, "haproxy.cfg");
                    await File.WriteAllTextAsync(config, Config(port, backendPorts, statsSocket));
                    var process = await TryStartAsync(executable, config, folder.Path, failedAttempts);
                    return process is null ? null : new HaProxy(process, folder, statsSocket, port, failedAttempts.ToString());
                },
                first: firstPort);
        }
        catch
        {
            folder.Dispose();
            File.Delete(statsSocket);
            throw;
        }
    }

    /// <summary>Each backend's state as <c>show stat</c> on the stats socket tells it, by port.</summary>
    public async Task<IReadOnlyDictionary<int, BackendState>> BackendsAsync()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_statsSocket)).Bounded();
        await socket.SendAsync("show stat\n"u8.ToArray()).Bounded();

        // Outside its interactive mode, HAProxy closes the socket after one answer.
        using var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer).Bounded()) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        return ParseStat(Encoding.ASCII.GetString(answer.ToArray()));
    }

    /// <summary>Awaits HAProxy's own log line for the backend's change of state (UP or DOWN).</summary>
    public Task WaitForBackendAsync(int port, string state) =>
        _process.WaitForLineAsync(new Regex($@"Server {Backend}/{ServerName(port)} is {Regex.Escape(state)}\b"));

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
        File.Delete(_statsSocket);
    }

    private static string ServerName(int port) => "port" + port.ToString(CultureInfo.InvariantCulture);

    /// <returns>The running HAProxy, or null when its frontend port was in use, its output then added to <paramref name="failedAttempts"/>.</returns>
    private static async Task<DaemonProcess?> TryStartAsync(string executable, string config, string directory, StringBuilder failedAttempts)
    {
        // -W (master-worker) for its "Loading success." once the worker runs, listeners bound: an
        // event to await. -db keeps it in the foreground, logging to stderr.
        var process = DaemonProcess.StartCommand(executable, ["-W", "-db", "-f", config], workingDirectory: directory);
        if (await process.WaitForLineOrExitAsync(ReadyLine()) is not null)
        {
            return process;
        }

        await process.DisposeAsync();
        if (!process.Output.Contains("Address already in use", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"haproxy exited at start:\n{process.Output}\n--- {config}\n{File.ReadAllText(config)}");
        }

        failedAttempts.Append(process.Output).Append("\n--- port in use\n");
        return null;
    }

    private static string Config(int port, IReadOnlyList<int> backendPorts, string statsSocket)
    {
        var config = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            global
              nbthread 1
              # Without it, a second HAProxy on the same port would share it (SO_REUSEPORT) instead of failing to bind.
              noreuseport
              stats socket {statsSocket} mode 600 level user

            defaults
              mode http
              timeout connect 2s
              timeout client 1m
              timeout server 1m
              # A WebSocket, once upgraded, is a tunnel: idle chat members stay connected.
              timeout tunnel 1h
              # Without it a check's answer must come within inter (200 ms): a loaded machine would flap a healthy backend.
              timeout check 2s

            frontend chat
              bind 127.0.0.1:{port}
              default_backend {Backend}

            backend {Backend}
              balance roundrobin
              option httpchk
              http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
              http-check expect status 200
              default-server inter 200ms fall 2 rise 2

            """));
        foreach (int backend in backendPorts)
        {
            config.Append(CultureInfo.InvariantCulture, $"  server {ServerName(backend)} 127.0.0.1:{backend} check\n");
        }

        return config.ToString();
    }

    /// <summary>The CSV of <c>show stat</c>: a header line <c># pxname,svname,...</c>, then one line per proxy and server.</summary>
    private static Dictionary<int, BackendState> ParseStat(string csv)
    {
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("# ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"not a show stat answer: {csv}");
        }

        var columns = lines[0][2..].Split(',').Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        var backends = new Dictionary<int, BackendState>();
        foreach (string[] fields in lines.Skip(1).Select(line => line.Split(',')))
        {
            string server = fields[columns["svname"]];
            if (fields[columns["pxname"]] == Backend && server.StartsWith("port", StringComparison.Ordinal))
            {
                backends[int.Parse(server[4..], CultureInfo.InvariantCulture)] =
                    new BackendState(fields[columns["status"]], LastCheck(fields[columns["check_status"]]), fields[columns["check_code"]]);
            }
        }

        return backends;
    }

    /// <summary>HAProxy marks the outcome <c>* L7OK</c> while the next check is running: the outcome alone.</summary>
    private static string LastCheck(string checkStatus) => checkStatus.StartsWith("* ", StringComparison.Ordinal) ? checkStatus[2..] : checkStatus;

    /// <summary>A backend server's line of <c>show stat</c>.</summary>
    /// <param name="Status">UP, DOWN, or a transition such as <c>UP 1/2</c> (going down).</param>
    /// <param name="CheckStatus">The last health check's outcome: <c>L7OK</c>, <c>L7STS</c> (wrong status), <c>L4CON</c> (refused)...</param>
    /// <param name="CheckCode">The last check's HTTP status, when it got one.</param>
    internal sealed record BackendState(string Status, string CheckStatus, string CheckCode);

    [GeneratedRegex(@"Loading success\.")]
    private static partial Regex ReadyLine();
}
