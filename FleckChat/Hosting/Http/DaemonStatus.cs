using System.Diagnostics;

namespace FleckChat.Hosting.Http;

/// <summary>What the health endpoint reports about the daemon's life: how long it has run and whether it is stopping.</summary>
internal sealed class DaemonStatus
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private volatile bool _stopping;

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    public bool IsStopping => _stopping;

    /// <summary>From now on /healthz answers 503. Called first thing when the daemon is asked to stop.</summary>
    public void MarkStopping() => _stopping = true;
}
