using System.Globalization;

namespace FleckChat.Soak;

/// <summary>One row of samples.tsv: the daemon's footprint and the soak's own counters at one moment (latencies: since the previous row).</summary>
internal sealed record Sample(
    double ElapsedSeconds,
    string Phase,
    long RssKib,
    int Descriptors,
    int Threads,
    long GcHeapBytes,
    double CpuPercent,
    long ConnectionsOpen,
    long Sent,
    long Received,
    long ChurnStarted,
    double LoadAverage,
    double LatencyP99Ms,
    double LatencyMaxMs,
    double RunQueueWaitPercent)
{
    public const string Header = "elapsed_s\tphase\trss_kib\tfds\tthreads\tgc_heap_bytes\tcpu_pct\tconnections_open\tsent\treceived\tchurn_started\tload_avg\tlatency_p99_ms\tlatency_max_ms\trunq_wait_pct";

    public string ToTsv() => string.Join('\t',
        ElapsedSeconds.ToString("F1", CultureInfo.InvariantCulture), Phase,
        RssKib.ToString(CultureInfo.InvariantCulture), Descriptors.ToString(CultureInfo.InvariantCulture),
        Threads.ToString(CultureInfo.InvariantCulture), GcHeapBytes.ToString(CultureInfo.InvariantCulture),
        CpuPercent.ToString("F1", CultureInfo.InvariantCulture), ConnectionsOpen.ToString(CultureInfo.InvariantCulture),
        Sent.ToString(CultureInfo.InvariantCulture), Received.ToString(CultureInfo.InvariantCulture),
        ChurnStarted.ToString(CultureInfo.InvariantCulture), LoadAverage.ToString("F2", CultureInfo.InvariantCulture),
        LatencyP99Ms.ToString("F0", CultureInfo.InvariantCulture), LatencyMaxMs.ToString("F0", CultureInfo.InvariantCulture),
        RunQueueWaitPercent.ToString("F1", CultureInfo.InvariantCulture));
}
