using System.Diagnostics;
using System.Globalization;

namespace FleckChat.Soak;

/// <summary>
/// One soak: connect the steady members, run their traffic, the churn and the sampler for the
/// duration, let the last messages arrive, close everyone cleanly and judge.
/// </summary>
internal sealed class SoakRun(SoakOptions options)
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private readonly LatencyHistogram _latency = new();

    public async Task<Verdict> RunAsync()
    {
        var members = CreateMembers();
        await ConnectAllAsync(members);
        var receiving = members.Select(m => Task.Run(m.ReceiveAsync)).ToArray();

        var churn = new ChurnGenerator(RoomUrl, options.Rooms, options.Churn);
        using var sampler = new DaemonSampler(options.Pid, options.Metrics, Path.Combine(options.OutDir, "samples.tsv"),
            () => (members.Sum(m => m.Sent), members.Sum(m => m.Received), churn.Started), _latency);
        using var stop = new CancellationTokenSource(options.Duration);
        var clock = Stopwatch.StartNew();
        Log($"load on for {options.Duration}: {options.Rate} msg/s, churn {options.Churn}/s");
        var interval = options.SendInterval;
        var sending = members.Select(m => m.SendAsync(interval, interval * m.Index / members.Length, stop.Token)).ToArray();
        var churning = churn.RunAsync(stop.Token);
        var sampling = sampler.RunAsync(options.SampleEvery, Phase, stop.Token);
        var progress = ReportProgressAsync(sampler, stop.Token);

        await Task.WhenAll(sending);
        await Task.WhenAll(churning, sampling, progress);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        await sampler.TakeAsync("end");
        Log($"load off after {loadSeconds:F0} s; waiting for the last messages and the churn to end");

        await WaitForDeliveriesAsync(members);
        await churn.Drained.WaitAsync(DrainTimeout).ContinueOnTimeout(() => Log("churn connections still open after 30 s"));
        await Task.WhenAll(members.Select((m, i) => m.CloseAsync(receiving[i], DrainTimeout)));
        await sampler.TakeAsync("closed");

        // Judged: the samples under load. The "end" sample (senders and churn just stopped) and the
        // "closed" one (everyone gone) stay in samples.tsv for the record.
        var samples = sampler.Samples.Where(s => s.Phase is "warmup" or "load").ToList();
        double warmup = options.Warmup.TotalSeconds;
        return new Verdict
        {
            Options = options,
            Members = members,
            Churn = churn.Summary,
            Latency = LatencyHistogram.Describe(_latency.Snapshot()),
            LoadSeconds = loadSeconds,
            Measured = [.. samples.Where(s => s.ElapsedSeconds > warmup)],
            Footprint =
            [
                FlatCheck.Of("RSS", "MiB", samples, warmup, options.LimitPercent, judged: true, s => s.RssKib / 1024.0),
                FlatCheck.Of("descriptors", "fds", samples, warmup, options.LimitPercent, judged: true, s => s.Descriptors),
                FlatCheck.Of("threads", "threads", samples, warmup, options.LimitPercent, judged: false, s => s.Threads),
                FlatCheck.Of("GC heap", "MiB", samples, warmup, options.LimitPercent, judged: false, s => s.GcHeapBytes / 1048576.0),
            ],
        };
    }

    private string Phase(TimeSpan elapsed) => elapsed <= options.Warmup ? "warmup" : "load";

    private Uri RoomUrl(int room) => new($"{options.Url.AbsoluteUri.TrimEnd('/')}/soak{room}");

    private SteadyMember[] CreateMembers()
    {
        // Member i sits in room i % rooms at slot i / rooms: a room's members are known before anyone connects.
        var rooms = Enumerable.Range(0, options.Rooms)
            .Select(r => new SteadyMember[(options.Members - r + options.Rooms - 1) / options.Rooms])
            .ToArray();
        var members = new SteadyMember[options.Members];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = rooms[i % options.Rooms][i / options.Rooms] = new SteadyMember(i, options.Rooms, rooms[i % options.Rooms], _latency);
        }

        return members;
    }

    private async Task ConnectAllAsync(SteadyMember[] members)
    {
        var clock = Stopwatch.StartNew();
        // A bounded number of handshakes in flight, as a crowd arriving rather than one burst.
        int retries = 0;
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (member, _) =>
        {
            // Setting up is not what the soak measures: on a busy machine a handshake may miss the
            // daemon's deadline, so a member gets a few tries (counted) before the run gives up.
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await member.ConnectAsync(RoomUrl(member.Room));
                    return;
                }
                catch (Exception ex) when (attempt < 5 && ex is not InvalidDataException)
                {
                    Interlocked.Increment(ref retries);
                }
            }
        });
        Log($"{members.Length} steady members connected in {options.Rooms} rooms in {clock.Elapsed.TotalSeconds:F1} s ({retries} connections retried)");
    }

    private static async Task WaitForDeliveriesAsync(SteadyMember[] members)
    {
        var clock = Stopwatch.StartNew();
        // Bounded poll: the last messages are in flight for milliseconds; a member still missing some
        // after the timeout has lost them, and the verdict counts them.
        while (clock.Elapsed < DrainTimeout && !members.All(m => m.Failure is not null || m.HasAll()))
        {
            await Task.Delay(200);
        }
    }

    private static async Task ReportProgressAsync(DaemonSampler sampler, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(20));
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (sampler.Samples.Count > 0 && sampler.Samples[^1] is { } s)
                {
                    Log(string.Create(CultureInfo.InvariantCulture,
                        $"{s.ElapsedSeconds / 60:F0} min: RSS {s.RssKib / 1024.0:F1} MiB, {s.Descriptors} fds, {s.Threads} threads, " +
                        $"heap {s.GcHeapBytes / 1048576.0:F1} MiB, CPU {s.CpuPercent:F0} % (waiting for a CPU {s.RunQueueWaitPercent:F0} %), {s.ConnectionsOpen} open; sent {s.Sent}, received {s.Received}, " +
                        $"latency p99 {s.LatencyP99Ms:F0} ms; load client's queue {ThreadPool.PendingWorkItemCount}, threads {ThreadPool.ThreadCount}"));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Load time is over.
        }
    }

    public static void Log(string line) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} {line}"));
}
