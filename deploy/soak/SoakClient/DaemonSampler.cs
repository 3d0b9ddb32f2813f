using System.Diagnostics;
using System.Globalization;

namespace FleckChat.Soak;

/// <summary>
/// Reads the daemon's footprint from outside: VmRSS and Threads from /proc/PID/status, the entries of
/// /proc/PID/fd, CPU from /proc/PID/stat, the time its threads waited for a CPU from their schedstat,
/// and the managed heap and open connections from its /metrics.
/// Every sample is appended to the TSV as it is taken, so a soak cut short still leaves its curve.
/// </summary>
internal sealed class DaemonSampler(int pid, Uri metrics, string tsvPath, Func<(long Sent, long Received, long ChurnStarted)> counters, LatencyHistogram latency) : IDisposable
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;
    // A fresh connection per scrape, as curl or Prometheus with a short timeout would use.
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15), DefaultRequestHeaders = { ConnectionClose = true } };
    private readonly List<Sample> _samples = [];
    private readonly Stopwatch _clock = new();
    private long _lastTicks = -1;
    private Dictionary<string, long> _lastWaitNs = new(StringComparer.Ordinal);
    private double _lastSeconds;
    private long[]? _lastLatency;

    public IReadOnlyList<Sample> Samples => _samples;

    public async Task RunAsync(TimeSpan every, Func<TimeSpan, string> phase, CancellationToken stop)
    {
        await File.WriteAllTextAsync(tsvPath, Sample.Header + "\n", CancellationToken.None);
        _clock.Start();
        using var timer = new PeriodicTimer(every);
        try
        {
            do
            {
                await TakeAsync(phase(_clock.Elapsed));
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Load time is over; the caller takes the last sample.
        }
    }

    public async Task TakeAsync(string phase)
    {
        double seconds = _clock.Elapsed.TotalSeconds;
        var status = ReadStatus();
        int descriptors = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        long ticks = ReadCpuTicks();
        long waitNs = ReadRunQueueWaitDeltaNs();
        bool first = _lastTicks < 0 || seconds <= _lastSeconds;
        double cpu = first ? 0 : (ticks - _lastTicks) / TicksPerSecond / (seconds - _lastSeconds) * 100;
        double wait = first ? 0 : waitNs / 1e9 / (seconds - _lastSeconds) * 100;
        (_lastTicks, _lastSeconds) = (ticks, seconds);
        var (sent, received, churn) = counters();
        long[] latencyNow = latency.Snapshot();
        double p99 = LatencyHistogram.Quantile(latencyNow, _lastLatency, 0.99);
        double max = LatencyHistogram.Quantile(latencyNow, _lastLatency, 1);
        _lastLatency = latencyNow;
        // Last, as it may take seconds on a busy daemon: everything above belongs to the same moment.
        var metricValues = await ReadMetricsAsync();
        var sample = new Sample(seconds, phase, status.RssKib, descriptors, status.Threads,
            (long)metricValues.GetValueOrDefault("dotnet_gc_heap_bytes", -1), cpu, (long)metricValues.GetValueOrDefault("fleckchat_connections_open", -1),
            sent, received, churn, ReadLoadAverage(), p99, max, wait);
        _samples.Add(sample);
        await File.AppendAllTextAsync(tsvPath, sample.ToTsv() + "\n", CancellationToken.None);
    }

    public void Dispose() => _http.Dispose();

    private (long RssKib, int Threads) ReadStatus()
    {
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return (rss, threads);
    }

    /// <summary>The machine's one-minute load average: a shared machine's other work shows here.</summary>
    private static double ReadLoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// Nanoseconds the daemon's threads spent runnable but waiting for a CPU since the last call (second
    /// field of each /proc/PID/task/TID/schedstat): how much a busy machine held the daemon back. Counted
    /// per thread, so that a thread that ended does not take its past waits out of the sum.
    /// </summary>
    private long ReadRunQueueWaitDeltaNs()
    {
        long delta = 0;
        var now = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                long wait = long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[1], CultureInfo.InvariantCulture);
                now[task] = wait;
                delta += wait - _lastWaitNs.GetValueOrDefault(task);
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        _lastWaitNs = now;
        return delta;
    }

    private long ReadCpuTicks()
    {
        // Fields after the command name, which may hold spaces and is closed by the last ')': utime is the 12th, stime the 13th.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The unlabelled values of /metrics; an unanswered scrape gives none (the TSV shows -1), not an error.</summary>
    private async Task<Dictionary<string, double>> ReadMetricsAsync()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            string text = await _http.GetStringAsync(metrics);
            foreach (string line in text.Split('\n'))
            {
                int space = line.IndexOf(' ');
                if (line.Length > 0 && line[0] != '#' && space > 0 && !line.AsSpan(0, space).Contains('{')
                    && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    values[line[..space]] = value;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"soak: /metrics not answered: {ex.Message}");
        }

        return values;
    }
}
