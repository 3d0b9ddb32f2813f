namespace FleckChat.Chat.Safety;

/// <summary>
/// A token bucket per member: <c>count</c> messages per <c>window</c>, refilled continuously. A member
/// refused in <c>floodWindows</c> consecutive windows is flooding and should be disconnected.
/// Used only from the member's own receive flow, so it needs no lock.
/// </summary>
internal sealed class RateLimiter
{
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly double _perTick;
    private readonly long _windowTicks;
    private readonly int _floodWindows;
    private double _tokens;
    private long _lastRefill;
    private long _lastRefusedWindow = long.MinValue;
    private int _consecutiveWindows;

    public RateLimiter(int count, TimeSpan window, int floodWindows, TimeProvider time)
    {
        _time = time;
        _capacity = count;
        _tokens = count;
        _windowTicks = (long)(window.TotalSeconds * time.TimestampFrequency);
        _perTick = count / (double)_windowTicks;
        _floodWindows = floodWindows;
        _lastRefill = time.GetTimestamp();
    }

    /// <summary>Takes <paramref name="cost"/> tokens if there are enough.</summary>
    public RateDecision TryTake(int cost)
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + ((now - _lastRefill) * _perTick));
        _lastRefill = now;
        if (_tokens >= cost)
        {
            _tokens -= cost;
            return RateDecision.Allowed;
        }

        long window = now / _windowTicks;
        if (window != _lastRefusedWindow)
        {
            _consecutiveWindows = window == _lastRefusedWindow + 1 ? _consecutiveWindows + 1 : 1;
            _lastRefusedWindow = window;
        }

        return _floodWindows > 0 && _consecutiveWindows >= _floodWindows ? RateDecision.Flooding : RateDecision.Refused;
    }
}

internal enum RateDecision
{
    Allowed,
    Refused,
    Flooding,
}
