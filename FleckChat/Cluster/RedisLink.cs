using System.Globalization;
using Serilog;
using StackExchange.Redis;

namespace FleckChat.Cluster;

/// <summary>
/// The daemon's one connection to the cluster's Redis (<c>--redis</c>), and what the daemon knows of
/// it: up or unreachable. The client reconnects by itself and brings its subscriptions back; this
/// type only tells the rest of the daemon. StackExchange.Redis reports a failure once per connection
/// type (interactive and subscription); here the two make one outage: one <see cref="Down"/> when the
/// first goes, one <see cref="Up"/> when the last is back. Commands sent while Redis is unreachable
/// fail at once (no backlog): a chat line that waited five seconds and then failed helps nobody.
/// Started while Redis is down, the link starts down, not failed: the daemon serves its members
/// (and /healthz says 503) until Redis comes, so systemd has nothing to restart.
/// </summary>
internal sealed class RedisLink : IAsyncDisposable
{
    private readonly ConfigurationOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly object _gate = new();

    /// <summary>The connection types that have failed and are not back; empty while up.</summary>
    private readonly HashSet<ConnectionType> _failed = [];
    private ConnectionMultiplexer? _redis;
    private bool _isUp;
    private long _downSince;
    private long _outages;

    /// <param name="configuration">A StackExchange.Redis configuration string, already checked by <see cref="TryParse"/>.</param>
    public RedisLink(string configuration, ILogger log, TimeProvider time)
    {
        _options = Configure(ConfigurationOptions.Parse(configuration));
        _log = log;
        _time = time;
        EndPoint = string.Join(",", _options.EndPoints.Select(FormatEndPoint));
    }

    /// <summary>Redis became unreachable (raised once per outage, on a client thread).</summary>
    public event Action? Down;

    /// <summary>Redis is reachable again (raised once per outage, on a client thread).</summary>
    public event Action? Up;

    /// <summary>The configured endpoints, for logs: <c>127.0.0.1:6379</c> (never the password).</summary>
    public string EndPoint { get; }

    public bool IsUp
    {
        get
        {
            lock (_gate)
            {
                return _isUp;
            }
        }
    }

    /// <summary>Times Redis became unreachable since start (a start while it was down counts as one).</summary>
    public long Outages => Interlocked.Read(ref _outages);

    /// <summary>The connection, for the cluster's parts; null until <see cref="StartAsync"/>.</summary>
    public IConnectionMultiplexer? Redis => _redis;

    /// <summary>Checks a <c>--redis</c> value: parsable, with at least one endpoint. The error never repeats the value (it may hold a password).</summary>
    public static bool TryParse(string configuration, out string? error)
    {
        try
        {
            var options = ConfigurationOptions.Parse(configuration);
            error = options.EndPoints.Count == 0 ? "no host:port in it" : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            error = ex.Message.ReplaceLineEndings(" ");
        }

        return error is null;
    }

    /// <summary>
    /// Connects, or starts down when Redis cannot be reached now (the client keeps trying). Returns
    /// without waiting for Redis beyond the client's connect timeout.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // ConnectAsync takes no token and, Redis down, returns only after its connect timeout (5 s
        // unless configured otherwise): a stop asked for meanwhile waits for neither it nor its end.
        // The connection it makes is closed when it comes, by a task that handles its own errors
        // (the process is usually gone by then).
        var connecting = ConnectionMultiplexer.ConnectAsync(_options);
        ConnectionMultiplexer redis;
        try
        {
            redis = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = CloseAbandonedAsync(connecting);
            throw;
        }

        _redis = redis;
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;

        // A failure during the connect raised no event (nobody could listen yet): read the state.
        lock (_gate)
        {
            if (redis.IsConnected && _failed.Count == 0)
            {
                _isUp = true;
                _log.Information("Connected to Redis at {EndPoint}", EndPoint);
            }
            else
            {
                if (!redis.IsConnected)
                {
                    _failed.Add(ConnectionType.Interactive);
                    _failed.Add(ConnectionType.Subscription);
                }

                _isUp = true;
                GoDown("cannot connect");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var redis = Interlocked.Exchange(ref _redis, null);
        if (redis is null)
        {
            return;
        }

        redis.ConnectionFailed -= OnConnectionFailed;
        redis.ConnectionRestored -= OnConnectionRestored;
        // Nothing in flight is worth waiting for: a QUIT to an unreachable Redis would only delay the stop.
        await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        await redis.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CloseAbandonedAsync(Task<ConnectionMultiplexer> connecting)
    {
        try
        {
            var redis = await connecting.ConfigureAwait(false);
            await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await redis.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.Debug(ex, "Closing the Redis connection abandoned at start failed");
        }
    }

    private static ConfigurationOptions Configure(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // From a quarter of a second to five seconds between attempts: back soon after a blip,
        // without hammering a Redis that is down for longer.
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        return options;
    }

    private static string FormatEndPoint(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        _ => endPoint.ToString() ?? "",
    };

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        // The client's own text is a long line of its internals: the warning names the failure, Debug has the rest.
        _log.Debug(e.Exception, "Redis {ConnectionType} connection to {EndPoint} failed: {FailureType}", e.ConnectionType, EndPoint, e.FailureType);
        lock (_gate)
        {
            if (_failed.Add(e.ConnectionType) && _isUp)
            {
                GoDown(e.FailureType.ToString());
            }
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        lock (_gate)
        {
            if (!_failed.Remove(e.ConnectionType) || _failed.Count > 0 || _isUp)
            {
                return;
            }

            _isUp = true;
            double seconds = Math.Round(_time.GetElapsedTime(_downSince).TotalSeconds, 1);
            _log.Information("Redis at {EndPoint} is back after {Seconds}s", EndPoint, seconds);
            Raise(Up, nameof(Up));
        }
    }

    /// <summary>Called under the lock: handlers see Down and Up in the order they happened.</summary>
    private void GoDown(string reason)
    {
        _isUp = false;
        _downSince = _time.GetTimestamp();
        Interlocked.Increment(ref _outages);
        _log.Warning("Redis at {EndPoint} is unreachable: {Reason}; members can stay but cannot chat until it is back", EndPoint, reason);
        Raise(Down, nameof(Down));
    }

    private void Raise(Action? handlers, string name)
    {
        try
        {
            handlers?.Invoke();
        }
        catch (Exception ex)
        {
            _log.Error(ex, "A handler of the Redis link's {Event} event failed", name);
        }
    }
}
