using FleckChat.Logging;
using FleckChat.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;

namespace FleckChat.Tests.Logging;

/// <summary>Repetitive log lines: a few per window, then one line with how many were held back.</summary>
[TestClass]
public sealed class LogThrottleTests : IDisposable
{
    private const string Summary = "Suppressed {Suppressed} ";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
    private readonly CollectedLog _log = new();
    private readonly LogThrottle _throttle;

    public LogThrottleTests() => _throttle = new LogThrottle(_log.Logger, "join and leave", 3, TimeSpan.FromSeconds(1), _time);

    public void Dispose()
    {
        _throttle.Dispose();
        _log.Dispose();
    }

    [TestMethod]
    public void Allow_UpToPerWindow_ThenHeldBack()
    {
        bool[] allowed = [.. Enumerable.Range(0, 5).Select(_ => _throttle.Allow())];

        CollectionAssert.AreEqual(new[] { true, true, true, false, false }, allowed);
        Assert.AreEqual(2, _throttle.SuppressedTotal);
    }

    [TestMethod]
    public void WindowEnds_OneSummaryWithTheCount()
    {
        _time.Advance(TimeSpan.FromMilliseconds(300));
        for (int i = 0; i < 10; i++)
        {
            _throttle.Allow();
        }

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.IsEmpty(_log.Matching(Summary));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var summary = _log.Matching(Summary).Single();
        Assert.AreEqual(LogEventLevel.Information, summary.Level);
        Assert.AreEqual("7", summary.Properties["Suppressed"].ToString());
        Assert.AreEqual("\"join and leave\"", summary.Properties["What"].ToString());

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.HasCount(1, _log.Matching(Summary));
    }

    [TestMethod]
    public void NextWindow_LinesPassAgain_CountStartsAgain()
    {
        for (int i = 0; i < 5; i++)
        {
            _throttle.Allow();
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        bool[] allowed = [.. Enumerable.Range(0, 4).Select(_ => _throttle.Allow())];
        _time.Advance(TimeSpan.FromSeconds(1));

        CollectionAssert.AreEqual(new[] { true, true, true, false }, allowed);
        CollectionAssert.AreEqual(new[] { "2", "1" }, _log.Matching(Summary).Select(e => e.Properties["Suppressed"].ToString()).ToArray());
        Assert.AreEqual(3, _throttle.SuppressedTotal);
    }

    [TestMethod]
    public void NothingHeldBack_NoSummary()
    {
        _throttle.Allow();
        _time.Advance(TimeSpan.FromSeconds(10));
        _throttle.Dispose();

        Assert.IsEmpty(_log.Events);
    }

    [TestMethod]
    public void Dispose_BeforeWindowEnds_SummaryWrittenOnce()
    {
        for (int i = 0; i < 4; i++)
        {
            _throttle.Allow();
        }

        _throttle.Dispose();
        _time.Advance(TimeSpan.FromSeconds(2));
        _throttle.Dispose();

        Assert.AreEqual("1", _log.Matching(Summary).Single().Properties["Suppressed"].ToString());
    }
}
