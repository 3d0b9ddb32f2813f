namespace FleckChat.Server;

/// <summary>The two periodic sweeps that stand in for timers per connection.</summary>
internal sealed partial class WebSocketServer
{
    private ITimer? _sweeper;
    private ITimer? _handshakeSweeper;

    private void StartSweeps(ServerSettings settings)
    {
        var options = settings.Options;
        _sweeper = Time.CreateTimer(static s => ((WebSocketServer)s!).Sweep(), this, SweepPeriod(options), SweepPeriod(options));
        _handshakeSweeper = Time.CreateTimer(static s => ((WebSocketServer)s!).SweepHandshakes(), this,
            HandshakeSweepPeriod(options), HandshakeSweepPeriod(options));
    }

    private void StopSweeps()
    {
        _sweeper?.Dispose();
        _handshakeSweeper?.Dispose();
    }

    /// <summary>
    /// One timer for every connection instead of timers per connection: it ticks at a third of the
    /// shortest of the keep-alive interval and timeout (so a dead peer is found within about 1.33 times
    /// the timeout), between 20 ms and 10 s.
    /// </summary>
    private static TimeSpan SweepPeriod(WebSocketServerOptions options)
    {
        long ticks = TimeSpan.TicksPerSecond * 10;
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            ticks = Math.Min(ticks, Math.Min(options.KeepAliveInterval.Ticks, options.KeepAliveTimeout.Ticks) / 3);
        }

        return TimeSpan.FromTicks(Math.Clamp(ticks, TimeSpan.TicksPerMillisecond * 20, TimeSpan.TicksPerSecond * 10));
    }

    /// <summary>
    /// How often handshake deadlines are checked: a twentieth of the timeout, so a handshake is dropped
    /// at most 5 % after its deadline. Cheap: the check reads only the oldest handshakes, in accept order.
    /// </summary>
    private static TimeSpan HandshakeSweepPeriod(WebSocketServerOptions options) =>
        TimeSpan.FromTicks(Math.Clamp(options.HandshakeTimeout.Ticks / 20, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 500));

    /// <summary>Resets the sockets whose handshake (TLS included) has outlived the handshake timeout.</summary>
    private void SweepHandshakes()
    {
        var settings = _settings!;
        long deadline = Time.GetTimestamp() - (long)(settings.Options.HandshakeTimeout.TotalSeconds * Time.TimestampFrequency);
        foreach (var slot in settings.Slots.TakeExpired(deadline))
        {
            settings.Metrics.HandshakeFailed(HandshakeFailure.Timeout);
            slot.Reset();
        }
    }

    /// <summary>Keep-alive, giving idle connections' send lists back, and forgetting idle client addresses.</summary>
    private void Sweep()
    {
        _settings!.Slots.Prune();
        bool keepAlive = _settings.Options.KeepAliveInterval > TimeSpan.Zero;
        long now = Time.GetTimestamp();
        WebSocketConnection[] connections;
        lock (_gate)
        {
            // A snapshot: dropping a client ends it, and ending edits the set.
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            if (keepAlive)
            {
                connection.CheckKeepAlive(now);
            }

            connection.TrimIdle();
        }
    }
}
