namespace FleckChat.Server;

/// <summary>The one periodic sweep that stands in for timers per connection.</summary>
internal sealed partial class WebSocketServer
{
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
    /// How often handshake deadlines are checked: a twentieth of the timeout (500 ms for 10 s), so a
    /// handshake is dropped at most 5 % after its deadline. Cheap: the check reads only the oldest
    /// handshakes, in accept order.
    /// </summary>
    private static TimeSpan HandshakeSweepPeriod(WebSocketServerOptions options) =>
        TimeSpan.FromTicks(Math.Clamp(options.HandshakeTimeout.Ticks / 20, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 500));

    /// <summary>A moment without accepting, after accept() failed.</summary>
    private static readonly TimeSpan AcceptPause = TimeSpan.FromMilliseconds(50);

    /// <summary>Resets the sockets whose handshake (TLS included) has outlived the handshake timeout.</summary>
    private void SweepHandshakes()
    {
        var settings = _settings!;
        long deadline = Time.GetTimestamp() - (long)(settings.Options.HandshakeTimeout.TotalSeconds * Time.TimestampFrequency);
        foreach (var slot in settings.Slots.TakeExpired(deadline))
        {
            slot.Reset();
        }
    }

    /// <summary>Keep-alive, giving idle connections' queues back, and forgetting idle client addresses.</summary>
    private void Sweep()
    {
        long now = Environment.TickCount64;
        bool keepAlive = _settings!.Options.KeepAliveInterval > TimeSpan.Zero;
        _settings.Slots.Prune();

        // Work on a snapshot: dropping a client ends it, and ending takes the lock and edits the sets.
        var (_, connections) = Snapshot();
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
