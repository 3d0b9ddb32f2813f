namespace FleckChat.Server;

/// <summary>The one periodic sweep that stands in for timers per connection.</summary>
internal sealed partial class WebSocketServer
{
    /// <summary>
    /// One timer for every connection instead of timers per connection: it ticks at a third of the
    /// shortest of the keep-alive interval and timeout (so a dead peer is found within about 1.33 times
    /// the timeout) and a quarter of the handshake timeout, between 20 ms and 10 s.
    /// </summary>
    private static TimeSpan SweepPeriod(WebSocketServerOptions options)
    {
        long ticks = options.HandshakeTimeout.Ticks / 4;
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            ticks = Math.Min(ticks, Math.Min(options.KeepAliveInterval.Ticks, options.KeepAliveTimeout.Ticks) / 3);
        }

        return TimeSpan.FromTicks(Math.Clamp(ticks, TimeSpan.TicksPerMillisecond * 20, TimeSpan.TicksPerSecond * 10));
    }

    /// <summary>Handshake deadlines, keep-alive, and giving idle connections' queues back.</summary>
    private void Sweep()
    {
        long now = Environment.TickCount64;
        bool keepAlive = _settings!.Options.KeepAliveInterval > TimeSpan.Zero;

        // Work on a snapshot: dropping a client ends it, and ending takes the lock and edits the sets.
        var (handshakes, connections) = Snapshot();
        foreach (var session in handshakes)
        {
            session.CheckHandshakeDeadline(now);
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
