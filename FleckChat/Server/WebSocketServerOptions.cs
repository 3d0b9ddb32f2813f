using FleckChat.Limits;

namespace FleckChat.Server;

/// <summary>Limits and timings of the server layer, whose defaults are the daemon's. The server takes a copy when it starts.</summary>
internal sealed record WebSocketServerOptions
{
    /// <summary>A message larger than this closes the connection with 1009.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>A request head larger than this gets 431.</summary>
    public int MaxRequestHeadBytes { get; init; } = 16 * 1024;

    /// <summary>A client that has not finished its handshake (TLS included) by then is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle connection is pinged; zero turns keep-alive off.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the peer counts as dead.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a peer has to answer our close frame, and a close frame has to leave.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A connection whose outgoing queue holds this many messages is cut off (1008).</summary>
    public int SendQueueMessages { get; init; } = 1024;

    /// <summary>... or this many bytes.</summary>
    public long SendQueueBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Sockets held at once, counted from accept() (handshakes included). At the cap the oldest
    /// unfinished handshake is reset to make room; when all are open connections a newcomer gets 503. 0: no limit.
    /// The default leaves the process a reserve of its descriptor limit (<see cref="DescriptorLimit"/>).
    /// </summary>
    public int MaxConnections { get; init; } = DescriptorLimit.DefaultMaxConnections(DescriptorLimit.Current());

    /// <summary>The same per client address. 0: no limit.</summary>
    public int MaxConnectionsPerIp { get; init; } = 100;

    /// <summary>Unfinished handshakes at once; at the cap the oldest is reset. 0: no limit.</summary>
    public int MaxHandshakes { get; init; } = 1000;

    /// <summary>Unfinished handshakes at once from one client address; at the cap that address's oldest is reset. 0: no limit.</summary>
    public int MaxHandshakesPerIp { get; init; } = 64;

    /// <summary>
    /// New connections one address may open: a burst of <see cref="RateLimit.Count"/>, a token bucket
    /// refilled over <see cref="RateLimit.Window"/>; beyond it they get 503 with Retry-After. <see cref="RateLimit.Off"/>: no limit.
    /// </summary>
    public RateLimit ConnectRatePerIp { get; init; } = RateLimit.PerSeconds(60, 10);

    /// <summary>
    /// Origins a browser may connect from (for example <c>https://chat.example.org</c>); a request with
    /// another Origin gets 403. Empty: any. Requests without an Origin header (non-browser clients) are allowed.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>TCP_NODELAY on accepted sockets: frames leave at once instead of waiting for Nagle.</summary>
    public bool NoDelay { get; init; } = true;
}
