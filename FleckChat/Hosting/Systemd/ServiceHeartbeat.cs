namespace FleckChat.Hosting.Systemd;

/// <summary>
/// Keeps systemd informed while the daemon runs: a new <c>STATUS=</c> line whenever the status text
/// changes (looked at every second), and <c>WATCHDOG=1</c> at half the watchdog timeout. The pings
/// come from a timer on the thread pool, so a daemon whose pool is starved or deadlocked stops
/// pinging and systemd restarts it.
/// </summary>
internal static class ServiceHeartbeat
{
    public static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; completes at once when systemd is not listening.</summary>
    /// <param name="status">The current status line, e.g. "3 connections on ws://0.0.0.0:8080/chat".</param>
    /// <param name="watchdogTimeout">WatchdogSec=, or null when no watchdog is set.</param>
    public static Task RunAsync(SystemdNotifier notifier, Func<string> status, TimeSpan? watchdogTimeout, CancellationToken cancellationToken)
    {
        if (!notifier.IsEnabled)
        {
            return Task.CompletedTask;
        }

        var watchdog = watchdogTimeout is { } timeout
            ? EveryAsync(timeout / 2, notifier.Watchdog, cancellationToken)
            : Task.CompletedTask;
        string last = status();
        var statusLoop = EveryAsync(StatusPeriod, () =>
        {
            string now = status();
            if (now != last)
            {
                last = now;
                notifier.Status(now);
            }
        }, cancellationToken);
        return Task.WhenAll(watchdog, statusLoop);
    }

    private static async Task EveryAsync(TimeSpan period, Action tick, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                tick();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
