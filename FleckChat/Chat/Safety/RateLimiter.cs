namespace FleckChat.Chat.Safety;

/// <summary>
/// A member's rate limit, exactly as the README states it: at most <c>count</c> lines in any
/// <c>window</c>. It keeps a log of what it accepted in the last window (so a member's own pace, not the
/// clock, decides when it is refused), one entry per accepted message: at most <c>count</c> entries.
/// Refusals are grouped into windows counted from the first refusal: the member is told once per such
/// window, and one refused in <c>floodWindows</c> consecutive windows is flooding, which is reported once.
/// Used only from the member's own receive flow, so it needs no lock. docs/security.md has the timeline.
/// </summary>
internal sealed class RateLimiter
{
    private readonly TimeProvider _time;
    private readonly int _count;
    private readonly long _windowTicks;
    private readonly int _floodWindows;
    private readonly Queue<(long At, int Lines)> _accepted = new();
    private int _acceptedLines;
    private bool _refusing;
    private long _firstRefusal;
    private long _lastRefusedWindow;
    private bool _flooded;

    public RateLimiter(int count, TimeSpan window, int floodWindows, TimeProvider time)
    {
        _time = time;
        _count = count;
        _windowTicks = (long)(window.TotalSeconds * time.TimestampFrequency);
        _floodWindows = floodWindows;
    }

    /// <summary>Accepts <paramref name="cost"/> lines if fewer than the limit would then have been accepted in the last window.</summary>
    public RateDecision TryTake(int cost)
    {
        if (_flooded)
        {
            return RateDecision.Dropped;
        }

        long now = _time.GetTimestamp();
        while (_accepted.TryPeek(out var oldest) && now - oldest.At >= _windowTicks)
        {
            _acceptedLines -= _accepted.Dequeue().Lines;
        }

        if (_acceptedLines + cost <= _count)
        {
            _accepted.Enqueue((now, cost));
            _acceptedLines += cost;
            return RateDecision.Allowed;
        }

        return Refuse(now);
    }

    private RateDecision Refuse(long now)
    {
        long window = _refusing ? (now - _firstRefusal) / _windowTicks : 0;
        if (_refusing && window == _lastRefusedWindow)
        {
            return RateDecision.Dropped;
        }

        if (!_refusing || window > _lastRefusedWindow + 1)
        {
            // A window went by without a refusal: the count of consecutive windows starts again here.
            _refusing = true;
            _firstRefusal = now;
            window = 0;
        }

        _lastRefusedWindow = window;
        if (_floodWindows > 0 && window + 1 >= _floodWindows)
        {
            _flooded = true;
            return RateDecision.Flooding;
        }

        return RateDecision.Refused;
    }
}

internal enum RateDecision
{
    Allowed,

    /// <summary>The first refusal in a window: tell the member.</summary>
    Refused,

    /// <summary>Refused again in a window in which the member was already told, or after flooding: drop quietly.</summary>
    Dropped,

    /// <summary>Refused in the last of the consecutive windows allowed: disconnect. Returned once.</summary>
    Flooding,
}
