using Serilog;

namespace FleckChat.Logging;

/// <summary>
/// Lets one kind of repetitive log line through at most <c>perWindow</c> times per window (a window
/// starts with the first line after the previous one ended). What it holds back is counted, and when
/// the window ends one line says how many were suppressed, so a flood of joins or failed handshakes
/// costs a few log lines, not one per event.
/// </summary>
internal sealed class LogThrottle : IDisposable
{
    private readonly object _gate = new();
    private readonly ILogger _log;
    private readonly string _what;
    private readonly int _perWindow;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly ITimer _summary;
    private long _windowStart;
    private bool _windowOpen;
    private int _passed;
    private long _suppressed;

    /// <param name="what">Names the lines in the summary, e.g. "join and leave".</param>
    public LogThrottle(ILogger log, string what, int perWindow, TimeSpan window, TimeProvider? time = null)
    {
        _log = log;
        _what = what;
        _perWindow = perWindow;
        _window = window;
        _time = time ?? TimeProvider.System;
        _summary = _time.CreateTimer(static s => ((LogThrottle)s!).Summarize(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Total lines held back so far.</summary>
    public long SuppressedTotal { get; private set; }

    /// <returns>true when the caller should write its line; false when it was counted as suppressed.</returns>
    public bool Allow()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            if (!_windowOpen || _time.GetElapsedTime(_windowStart, now) >= _window)
            {
                _windowOpen = true;
                _windowStart = now;
                _passed = 0;
            }

            if (_passed < _perWindow)
            {
                _passed++;
                return true;
            }

            if (_suppressed++ == 0)
            {
                // The first line held back in this window: say how many were held back once it ends.
                var left = _window - _time.GetElapsedTime(_windowStart, now);
                _summary.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }

            SuppressedTotal++;
            return false;
        }
    }

    public void Dispose()
    {
        _summary.Dispose();
        Summarize();
    }

    private void Summarize()
    {
        long suppressed;
        lock (_gate)
        {
            suppressed = _suppressed;
            _suppressed = 0;
        }

        if (suppressed > 0)
        {
            _log.Information("Suppressed {Suppressed} {What} log lines in {WindowSeconds} s", suppressed, _what, _window.TotalSeconds);
        }
    }
}
