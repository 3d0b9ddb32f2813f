using System.CommandLine;
using System.Globalization;
using System.Net;
using FleckChat.Chat;
using FleckChat.Cluster;
using FleckChat.Limits;
using FleckChat.Server;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>
/// The daemon's command line: <c>fleckchat [--port PORT] [--bind ADDRESS] [--path PATH] [--cert PATH [--key PATH]] ...</c>,
/// each option also settable through a FLECKCHAT_* environment variable (the flag wins). Values go
/// straight into <see cref="DaemonOptions"/> and the chat's and server's records it holds; the
/// defaults <c>--help</c> shows are read from those records.
/// </summary>
internal sealed class DaemonCommandLine
{
    private readonly Option<int> _port;
    private readonly Option<IPAddress> _bind;
    private readonly Option<string> _path;
    private readonly Option<int> _maxMessageBytes;
    private readonly Option<string> _logDir;
    private readonly Option<LogEventLevel> _logLevel;
    private readonly Option<int> _history;
    private readonly Option<int> _maxTextBytes;
    private readonly Option<RateLimit> _rateLimit;
    private readonly Option<int> _floodWindows;
    private readonly Option<int> _maxConnections;
    private readonly Option<int> _maxConnectionsPerIp;
    private readonly Option<int> _maxHandshakes;
    private readonly Option<int> _maxHandshakesPerIp;
    private readonly Option<RateLimit> _connectRatePerIp;
    private readonly Option<string[]> _allowedOrigins;
    private readonly Option<int> _idleTimeout;
    private readonly Option<OnOff> _joinNotices;
    private readonly Option<int> _maxRooms;
    private readonly Option<IPEndPoint?> _metricsBind;
    private readonly Option<OnOff> _metricsPublic;
    private readonly Option<string?> _cert;
    private readonly Option<string?> _key;
    private readonly Option<string?> _redis;
    private readonly Option<int> _redisLease;
    private readonly Option<int> _resumeGrace;
    private readonly Option<int> _resumeLifetime;

    public DaemonCommandLine(Func<string, string?> getEnvironment)
    {
        var defaults = new DaemonOptions();
        var chat = defaults.Chat;
        var server = defaults.Server;
        _port = OptionBuilder.Create("--port", "FLECKCHAT_PORT", defaults.Port,
            "TCP port to listen on (0 picks a free one).", ParsePort, getEnvironment);
        _bind = OptionBuilder.Create("--bind", "FLECKCHAT_BIND", defaults.Bind,
            "Address to listen on: 0.0.0.0 (all IPv4), :: (all IPv6 and IPv4), or one address.", ParseAddress, getEnvironment);
        _path = OptionBuilder.Create("--path", "FLECKCHAT_PATH", defaults.Path,
            "Path of the chat endpoint.", ParsePath, getEnvironment);
        _maxMessageBytes = OptionBuilder.Create("--max-message-bytes", "FLECKCHAT_MAX_MESSAGE_BYTES", server.MaxMessageBytes,
            "Largest message accepted; a larger one closes the connection with 1009.", ParseMessageSize, getEnvironment);
        _logDir = OptionBuilder.Create("--log-dir", "FLECKCHAT_LOG_DIR", defaults.LogDirectory,
            "Directory for the daily log files (relative to the working directory).", ParseDirectory, getEnvironment);
        _logLevel = OptionBuilder.Create("--log-level", "FLECKCHAT_LOG_LEVEL", defaults.LogLevel,
            "Verbose, Debug, Information, Warning, Error or Fatal.", ParseLevel, getEnvironment);
        _history = OptionBuilder.Create("--history", "FLECKCHAT_HISTORY", chat.HistorySize,
            "Past messages a newcomer is shown (0: none).", Range(0, 1000), getEnvironment, "count");
        _maxTextBytes = OptionBuilder.Create("--max-text-bytes", "FLECKCHAT_MAX_TEXT_BYTES", chat.MaxTextBytes,
            "Longest chat message in bytes; longer ones are refused with an error line.", Range(1, 1024 * 1024), getEnvironment);
        _rateLimit = OptionBuilder.Create("--rate-limit", "FLECKCHAT_RATE_LIMIT", chat.RateLimit,
            "Messages a member may send per window, as COUNT/SECONDS (0: no limit).", ParseRate, getEnvironment, "count/seconds");
        _floodWindows = OptionBuilder.Create("--flood-windows", "FLECKCHAT_FLOOD_WINDOWS", chat.FloodWindows,
            "Disconnect (1008) a member over the rate limit in this many consecutive windows (0: never).", Range(0, 1000), getEnvironment);
        _maxConnections = OptionBuilder.Create("--max-connections", "FLECKCHAT_MAX_CONNECTIONS", server.MaxConnections,
            "Sockets held at once, counted from accept(); at the cap the oldest unfinished handshake is reset, and when all are members " +
            "a newcomer gets 503 (0: no limit). " +
            $"Default: the open-files limit (ulimit -n) minus {DescriptorLimit.FixedReserve} minus 1/{DescriptorLimit.ReserveShare} of it.",
            Range(0, 10_000_000), getEnvironment, "count");
        _maxConnectionsPerIp = OptionBuilder.Create("--max-connections-per-ip", "FLECKCHAT_MAX_CONNECTIONS_PER_IP", server.MaxConnectionsPerIp,
            "The same per client address (0: no limit).", Range(0, 10_000_000), getEnvironment, "count");
        _maxHandshakes = OptionBuilder.Create("--max-handshakes", "FLECKCHAT_MAX_HANDSHAKES", server.MaxHandshakes,
            "Unfinished handshakes at once; at the cap the oldest is reset (0: no limit).", Range(0, 10_000_000), getEnvironment, "count");
        _maxHandshakesPerIp = OptionBuilder.Create("--max-handshakes-per-ip", "FLECKCHAT_MAX_HANDSHAKES_PER_IP", server.MaxHandshakesPerIp,
            "Unfinished handshakes at once from one address; at the cap its oldest is reset (0: no limit).", Range(0, 10_000_000), getEnvironment, "count");
        _connectRatePerIp = OptionBuilder.Create("--connect-rate-per-ip", "FLECKCHAT_CONNECT_RATE_PER_IP", server.ConnectRatePerIp,
            "New connections one address may open, as BURST/SECONDS (a token bucket refilled over SECONDS); more get 503 with Retry-After (0: no limit).",
            ParseRate, getEnvironment, "burst/seconds");
        _allowedOrigins = OptionBuilder.CreateList("--allowed-origin", "FLECKCHAT_ALLOWED_ORIGINS",
            "A browser Origin allowed to connect, e.g. https://chat.example.org (repeatable; none: any). Others get 403.", ValidateOrigin, getEnvironment);
        _idleTimeout = OptionBuilder.Create("--idle-timeout", "FLECKCHAT_IDLE_TIMEOUT", (int)chat.IdleTimeout.TotalSeconds,
            "Seconds a member may send nothing before being disconnected (0: never).", Range(0, 30 * 24 * 3600), getEnvironment, "seconds");
        _joinNotices = OptionBuilder.Create("--join-notices", "FLECKCHAT_JOIN_NOTICES", new OnOff(chat.JoinNotices),
            "Tell rooms when members join and leave: on or off.", ParseSwitch, getEnvironment, "on|off");
        _maxRooms = OptionBuilder.Create("--max-rooms", "FLECKCHAT_MAX_ROOMS", chat.MaxRooms,
            "Rooms that may exist at once (a room lives while it has members).", Range(1, 1_000_000), getEnvironment, "count");
        _metricsBind = OptionBuilder.Create("--metrics-bind", "FLECKCHAT_METRICS_BIND", defaults.MetricsBind,
            "Serve /healthz and /metrics on this ADDRESS:PORT (e.g. 127.0.0.1:9100) instead of the chat port.", ParseEndPoint, getEnvironment,
            "address:port");
        _metricsPublic = OptionBuilder.Create("--metrics-public", "FLECKCHAT_METRICS_PUBLIC", new OnOff(defaults.MetricsPublic),
            "Serve /metrics on the chat port to every client, not only to local ones (127.0.0.1, ::1): on or off.", ParseSwitch, getEnvironment, "on|off");
        _cert = OptionBuilder.Create("--cert", "FLECKCHAT_CERT", defaults.CertificatePath,
            "Serve wss:// with this certificate: a PEM file (a full chain works) or a PKCS#12 file without password. SIGHUP reloads it.",
            ParseFile, getEnvironment);
        _key = OptionBuilder.Create("--key", "FLECKCHAT_KEY", defaults.KeyPath,
            "PEM private key for --cert (not needed when the --cert file holds the key).", ParseFile, getEnvironment);
        _redis = OptionBuilder.Create("--redis", "FLECKCHAT_REDIS", defaults.Redis,
            "Share rooms, names and history with other daemons through Redis (a StackExchange.Redis configuration string, e.g. 127.0.0.1:6379).",
            ParseRedis, getEnvironment, "config");
        _redisLease = OptionBuilder.Create("--redis-lease", "FLECKCHAT_REDIS_LEASE", (int)defaults.RedisLease.TotalSeconds,
            "With --redis: seconds a node's names and presence outlive it when it dies (renewed every third of it while it lives).",
            Range(1, 3600), getEnvironment, "seconds");
        _resumeGrace = OptionBuilder.Create("--resume-grace", "FLECKCHAT_RESUME_GRACE", (int)chat.ResumeGrace.TotalSeconds,
            "Seconds a member whose connection broke (no close frame) stays present, so a reconnect with its resume token is seamless (0: none).",
            Range(0, 3600), getEnvironment, "seconds");
        _resumeLifetime = OptionBuilder.Create("--resume-lifetime", "FLECKCHAT_RESUME_LIFETIME", (int)chat.ResumeLifetime.TotalSeconds,
            "Seconds after a connection ends that its resume token still gives the name back and what was missed.",
            Range(1, 7 * 24 * 3600), getEnvironment, "seconds");
        Command = new RootCommand($"FleckChat: a small WebSocket chat daemon. Connect with: websocat ws://HOST:PORT{defaults.Path}")
        {
            _port, _bind, _path, _maxMessageBytes, _logDir, _logLevel,
            _history, _maxTextBytes, _rateLimit, _floodWindows, _maxConnections, _maxConnectionsPerIp, _maxHandshakes, _maxHandshakesPerIp, _connectRatePerIp, _allowedOrigins,
            _idleTimeout, _joinNotices, _maxRooms, _metricsBind, _metricsPublic, _cert, _key, _redis, _redisLease, _resumeGrace, _resumeLifetime,
        };
    }

    public RootCommand Command { get; }

    public DaemonOptions Read(ParseResult result) => new()
    {
        Port = result.GetValue(_port),
        Bind = result.GetValue(_bind)!,
        Path = result.GetValue(_path)!,
        LogDirectory = result.GetValue(_logDir)!,
        LogLevel = result.GetValue(_logLevel),
        Chat = new ChatOptions
        {
            HistorySize = result.GetValue(_history),
            MaxTextBytes = result.GetValue(_maxTextBytes),
            RateLimit = result.GetValue(_rateLimit)!,
            FloodWindows = result.GetValue(_floodWindows),
            IdleTimeout = TimeSpan.FromSeconds(result.GetValue(_idleTimeout)),
            JoinNotices = result.GetValue(_joinNotices).IsOn,
            MaxRooms = result.GetValue(_maxRooms),
            ResumeGrace = TimeSpan.FromSeconds(result.GetValue(_resumeGrace)),
            ResumeLifetime = TimeSpan.FromSeconds(result.GetValue(_resumeLifetime)),
        },
        Server = new WebSocketServerOptions
        {
            MaxMessageBytes = result.GetValue(_maxMessageBytes),
            MaxConnections = result.GetValue(_maxConnections),
            MaxConnectionsPerIp = result.GetValue(_maxConnectionsPerIp),
            MaxHandshakes = result.GetValue(_maxHandshakes),
            MaxHandshakesPerIp = result.GetValue(_maxHandshakesPerIp),
            ConnectRatePerIp = result.GetValue(_connectRatePerIp)!,
            AllowedOrigins = [.. result.GetValue(_allowedOrigins)!.Select(o => new Uri(o).GetLeftPart(UriPartial.Authority))],
        },
        MetricsBind = result.GetValue(_metricsBind),
        MetricsPublic = result.GetValue(_metricsPublic).IsOn,
        CertificatePath = result.GetValue(_cert),
        KeyPath = result.GetValue(_key),
        Redis = result.GetValue(_redis),
        RedisLease = TimeSpan.FromSeconds(result.GetValue(_redisLease)),
    };

    private static Func<string, (int, string?)> Range(int min, int max) => text =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? (value, null)
            : (0, string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a whole number from {min} to {max}"));

    private static (RateLimit?, string?) ParseRate(string text) =>
        RateLimit.TryParse(text, out var limit) ? (limit, null) : (null, $"'{text}' is not COUNT/SECONDS (for example 10/5) or 0");

    private static (OnOff, string?) ParseSwitch(string text) => text.ToLowerInvariant() switch
    {
        "on" or "true" or "yes" or "1" => (new OnOff(true), null),
        "off" or "false" or "no" or "0" => (new OnOff(false), null),
        _ => (default, $"'{text}' is not on or off"),
    };

    private static string? ValidateOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https") && uri.AbsolutePath == "/" && uri.Query.Length == 0
            ? null
            : $"'{origin}' is not an origin like https://chat.example.org";

    private static (int, string?) ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
            ? (port, null)
            : (0, $"'{text}' is not a port number (0-65535)");

    private static (IPAddress?, string?) ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? (address, null) : (null, $"'{text}' is not an IP address");

    private static (string?, string?) ParsePath(string text) =>
        text.StartsWith('/') && !text.Contains('?', StringComparison.Ordinal) && !text.Any(char.IsWhiteSpace)
            ? (text, null)
            : (null, $"'{text}' is not a path (it must start with / and have no spaces or query)");

    private static (int, string?) ParseMessageSize(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size is >= 125 and <= 16 * 1024 * 1024
            ? (size, null)
            : (0, $"'{text}' is not a size in bytes between 125 and 16777216");

    private static (string?, string?) ParseDirectory(string text) =>
        text.Length > 0 && text.IndexOfAny(Path.GetInvalidPathChars()) < 0 ? (text, null) : (null, $"'{text}' is not a directory path");

    private static (string?, string?) ParseFile(string text) =>
        text.Length > 0 && text.IndexOfAny(Path.GetInvalidPathChars()) < 0 ? (text, null) : (null, $"'{text}' is not a file path");

    /// <summary>ADDRESS:PORT with the port spelled out; an IPv6 address in brackets ([::1]:9100).</summary>
    private static (IPEndPoint?, string?) ParseEndPoint(string text)
    {
        int colon = text.LastIndexOf(':');
        bool bracketed = text.StartsWith('[') && colon > 0 && text[colon - 1] == ']';
        bool portGiven = colon > 0 && (bracketed || text.IndexOf(':', StringComparison.Ordinal) == colon) &&
                         ParsePort(text[(colon + 1)..]).Item2 is null;
        return portGiven && IPEndPoint.TryParse(text, out var endPoint)
            ? (endPoint, null)
            : (null, $"'{text}' is not ADDRESS:PORT (e.g. 127.0.0.1:9100 or [::1]:9100)");
    }

    /// <summary>The value itself is not repeated in the error: it may hold a password.</summary>
    private static (string?, string?) ParseRedis(string text) =>
        RedisLink.TryParse(text, out string? error)
            ? (text, null)
            : (null, $"not a Redis configuration string such as 127.0.0.1:6379 ({error})");

    private static (LogEventLevel, string?) ParseLevel(string text) =>
        Enum.TryParse<LogEventLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(text, out _)
            ? (level, null)
            : (default, $"'{text}' is not a log level (Verbose, Debug, Information, Warning, Error, Fatal)");
}
