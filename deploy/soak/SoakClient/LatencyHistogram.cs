using System.Globalization;

namespace FleckChat.Soak;

/// <summary>
/// Send-to-receive times of steady messages: 1 ms buckets up to 1 s, 100 ms buckets up to 60 s, one
/// bucket beyond. Recorded from every receive loop at once (an interlocked increment each), read by
/// the sampler as differences between snapshots.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int FineBuckets = 1000;
    private const int CoarseBuckets = 590;
    private readonly long[] _counts = new long[FineBuckets + CoarseBuckets + 1];

    public void Record(TimeSpan latency)
    {
        double ms = latency.TotalMilliseconds;
        int bucket = ms < FineBuckets ? (int)ms : Math.Min(FineBuckets + (int)((ms - FineBuckets) / 100), _counts.Length - 1);
        Interlocked.Increment(ref _counts[Math.Max(bucket, 0)]);
    }

    public long[] Snapshot() => [.. _counts.Select((_, i) => Interlocked.Read(ref _counts[i]))];

    /// <summary>The upper bound in ms of the bucket holding quantile <paramref name="q"/> of the counts (now minus <paramref name="since"/>); NaN when empty.</summary>
    public static double Quantile(long[] now, long[]? since, double q)
    {
        long total = 0;
        for (int i = 0; i < now.Length; i++)
        {
            total += now[i] - (since?[i] ?? 0);
        }

        long wanted = (long)Math.Ceiling(total * q);
        long seen = 0;
        for (int i = 0; i < now.Length && total > 0; i++)
        {
            seen += now[i] - (since?[i] ?? 0);
            if (seen >= wanted && seen > 0)
            {
                return i < FineBuckets ? i + 1 : FineBuckets + (i - FineBuckets + 1) * 100.0;
            }
        }

        return double.NaN;
    }

    public static string Describe(long[] counts) => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Quantile(counts, null, 0.5):F0} ms, p99 {Quantile(counts, null, 0.99):F0} ms, p99.9 {Quantile(counts, null, 0.999):F0} ms, max {Quantile(counts, null, 1):F0} ms");
}
