using System.Globalization;
using System.Text;
using FleckChat.Chat.Safety;

namespace FleckChat.Chat;

/// <summary>The limits on members: message size, message rate (and flooding), idle time.</summary>
internal sealed partial class ChatHub
{
    private readonly ITimer? _idleTimer;
    private long _rateLimitHits;

    /// <summary>Messages refused by the rate limit so far.</summary>
    public long RateLimitHits => Interlocked.Read(ref _rateLimitHits);

    private RateLimiter? NewLimiter() =>
        _options.RateLimit.Count > 0 ? new RateLimiter(_options.RateLimit.Count, _options.RateLimit.Window, _options.FloodWindows, _time) : null;

    /// <summary>True (and the member told) when the text is over the size limit; counts bytes only when it might be.</summary>
    private bool IsTooLong(Member member, string text)
    {
        if (text.Length * 3 <= _options.MaxTextBytes || Encoding.UTF8.GetByteCount(text) <= _options.MaxTextBytes)
        {
            return false;
        }

        member.Send(Error(string.Create(CultureInfo.InvariantCulture, $"message too long: at most {_options.MaxTextBytes} bytes; not sent")));
        return true;
    }

    /// <summary>
    /// Applies the rate limit. A refused member is told once per window and a flooding one disconnected
    /// once: a flood of messages must not turn into a flood of replies and log lines.
    /// </summary>
    private bool Allow(Member member, int cost)
    {
        var decision = member.Limiter?.TryTake(cost) ?? RateDecision.Allowed;
        if (decision == RateDecision.Allowed)
        {
            return true;
        }

        Interlocked.Increment(ref _rateLimitHits);
        if (decision == RateDecision.Dropped)
        {
            return false;
        }

        string limit = string.Create(CultureInfo.InvariantCulture, $"at most {_options.RateLimit.Count} messages per {_options.RateLimit.Window.TotalSeconds:0.###} s");
        if (decision == RateDecision.Flooding)
        {
            member.Send(Error($"flooding: over the limit ({limit}) too long; disconnecting"));
            member.Connection.Close(1008, "flooding");
            _log.Warning("Disconnecting {Name} ({ConnectionId}) for flooding", member.Name, member.Connection.ConnectionInfo.Id);
        }
        else
        {
            member.Send(Error($"slow down: {limit}; message dropped"));
            _log.Debug("Rate limit refused a message from {Name}", member.Name);
        }

        return false;
    }

    /// <summary>Looks for idle members a few times per timeout (between 50 ms and 5 s apart); null when there is no timeout.</summary>
    private ITimer? StartIdleTimer()
    {
        if (_options.IdleTimeout <= TimeSpan.Zero)
        {
            return null;
        }

        var period = TimeSpan.FromTicks(Math.Clamp(_options.IdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond * 5));
        return _time.CreateTimer(static s => ((ChatHub)s!).CloseIdleMembers(), this, period, period);
    }

    private void CloseIdleMembers()
    {
        long now = _time.GetTimestamp();
        List<Member> idle = [];
        lock (_gate)
        {
            foreach (var room in _rooms.Values)
            {
                idle.AddRange(room.Members.Where(m => _time.GetElapsedTime(m.LastActivity, now) >= _options.IdleTimeout));
            }
        }

        foreach (var member in idle)
        {
            member.Send(Error(string.Create(CultureInfo.InvariantCulture, $"idle for {_options.IdleTimeout.TotalSeconds:0.###} s; disconnecting")));
            member.Connection.Close(1000, "idle timeout");
            _log.Information("Disconnecting {Name} ({ConnectionId}): idle", member.Name, member.Connection.ConnectionInfo.Id);
        }
    }
}
