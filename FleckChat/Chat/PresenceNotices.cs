using System.Globalization;

namespace FleckChat.Chat;

/// <summary>
/// One room's join and leave notices, coalesced when they come faster than anyone reads them: at most
/// <see cref="PerSecond"/> notices on their own in a second, and the rest counted into one summary sent
/// when that second ends (and then one a second for as long as the churn lasts). A connect-and-reset
/// flood would otherwise put two notices per cycle into every member's queue (docs/security.md,
/// "Churn and floods from members"). Called under the chat's lock, which the summary callback takes too.
/// </summary>
internal sealed class PresenceNotices : IDisposable
{
    /// <summary>Notices shown on their own per room and second; more than a reader follows, fewer than a burst of reconnects.</summary>
    private const int PerSecond = 5;

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly Action _summarize;
    private ITimer? _timer;
    private bool _disposed;
    private bool _open;
    private long _windowStart;
    private int _shown;
    private int _joined;
    private int _left;

    /// <param name="summarize">Called (on a timer thread) when a second with held-back notices ends.</param>
    public PresenceNotices(TimeProvider time, Action summarize)
    {
        _time = time;
        _summarize = summarize;
    }

    /// <returns>true when the notice should be sent now; false when it was counted for the summary.</returns>
    public bool Admit(bool joined)
    {
        long now = _time.GetTimestamp();
        bool holding = _joined + _left > 0;
        if (!holding && (!_open || _time.GetElapsedTime(_windowStart, now) >= Second))
        {
            _open = true;
            _windowStart = now;
            _shown = 0;
        }

        if (!holding && _shown < PerSecond)
        {
            _shown++;
            return true;
        }

        if (joined)
        {
            _joined++;
        }
        else
        {
            _left++;
        }

        if (!holding && !_disposed)
        {
            // The first notice held back in this second: summarize when the second ends.
            var due = Second - _time.GetElapsedTime(_windowStart, now);
            due = due > TimeSpan.Zero ? due : TimeSpan.FromTicks(1);
            _timer ??= _time.CreateTimer(static s => ((PresenceNotices)s!)._summarize(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }

        return false;
    }

    /// <summary>
    /// Takes the counts held back for the summary. The next second starts now with no notices of its
    /// own left, so churn that goes on gets one summary a second and nothing else.
    /// </summary>
    public (int Joined, int Left) TakeHeld()
    {
        var held = (_joined, _left);
        if (_joined + _left > 0)
        {
            _joined = _left = 0;
            _open = true;
            _windowStart = _time.GetTimestamp();
            _shown = PerSecond;
        }

        return held;
    }

    /// <summary>The summary's text, e.g. "3 members joined and 1 left in the last second".</summary>
    public static string Summary(int joined, int left) => (joined, left) switch
    {
        (_, 0) => Members(joined) + " joined in the last second",
        (0, _) => Members(left) + " left in the last second",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Members(joined)} joined and {left} left in the last second"),
    };

    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
    }

    private static string Members(int count) =>
        count == 1 ? "1 member" : string.Create(CultureInfo.InvariantCulture, $"{count} members");
}
