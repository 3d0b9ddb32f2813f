using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FleckChat.Soak;

/// <summary>The soak's outcome: flat footprint after warm-up and every steady message delivered once, in order.</summary>
internal sealed class Verdict
{
    public required SoakOptions Options { get; init; }
    public required IReadOnlyList<FlatCheck> Footprint { get; init; }
    public required IReadOnlyList<SteadyMember> Members { get; init; }
    public required string Churn { get; init; }
    public required string Latency { get; init; }
    public required double LoadSeconds { get; init; }

    /// <summary>The samples after warm-up, for the machine's context.</summary>
    public required IReadOnlyList<Sample> Measured { get; init; }

    public long Sent => Members.Sum(m => m.Sent);
    public long Expected => Members.Sum(m => m.Expected);
    public long Received => Members.Sum(m => m.Received);
    public long Lost => Members.Sum(m => m.Lost);
    public long Duplicated => Members.Sum(m => m.Ledgers.Sum(l => l.Duplicated));
    public long Reordered => Members.Sum(m => m.Ledgers.Sum(l => l.Reordered));
    public long NameChanges => Members.Sum(m => m.Ledgers.Sum(l => l.NameChanges));
    public long Foreign => Members.Sum(m => m.Foreign);
    public long Errors => Members.Sum(m => m.Errors);
    public int Disconnected => Members.Count(m => m.Failure is not null);

    public bool DeliveryPassed => Lost == 0 && Duplicated == 0 && Reordered == 0 && NameChanges == 0 && Foreign == 0 && Disconnected == 0;

    public bool Passed => DeliveryPassed && Footprint.All(f => f.Passed);

    public string Text()
    {
        var o = Options;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"soak verdict: {(Passed ? "PASS" : "FAIL")}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"load: {LoadSeconds / 60:F1} min (warm-up {o.Warmup.TotalMinutes:F1} min), {o.Members} steady members in {o.Rooms} rooms, " +
            $"{o.Rate:F0} msg/s, churn {o.Churn:F0} connections/s; samples every {o.SampleEvery.TotalSeconds:F0} s");
        foreach (var f in Footprint)
        {
            text.AppendLine(f.Describe(f.Unit switch
            {
                "MiB" => v => v.ToString("F1", CultureInfo.InvariantCulture),
                _ => v => v.ToString("F0", CultureInfo.InvariantCulture),
            }));
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"messages: sent {Sent}, deliveries expected {Expected}, received {Received}; lost {Lost}, duplicated {Duplicated}, " +
            $"reordered {Reordered}, name changes {NameChanges}, foreign lines {Foreign}: {(DeliveryPassed ? "PASS" : "FAIL")}");
        string firstFailure = Members.FirstOrDefault(m => m.Failure is not null) is { } first ? $" (first: member {first.Index}: {first.Failure})" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"steady members disconnected early: {Disconnected}{firstFailure}");
        string firstError = Members.FirstOrDefault(m => m.FirstError is not null) is { } e ? $" (first: {e.FirstError})" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"error lines to steady members: {Errors}{firstError}");
        text.AppendLine(CultureInfo.InvariantCulture, $"steady delivery latency (send to receive, whole run): {Latency}");
        text.AppendLine(CultureInfo.InvariantCulture, $"churn: {Churn}");
        if (Measured.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"context after warm-up: daemon CPU mean {Measured.Average(s => s.CpuPercent):F0} % of one core, its threads waiting for a CPU mean " +
                $"{Measured.Average(s => s.RunQueueWaitPercent):F0} %; machine load average mean {Measured.Average(s => s.LoadAverage):F1}, max {Measured.Max(s => s.LoadAverage):F1}");
        }
        return text.ToString();
    }

    /// <summary>The flatness references, for the plot's bands.</summary>
    public string Json() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["passed"] = Passed,
        ["warmup_s"] = Options.Warmup.TotalSeconds,
        ["limit_percent"] = Options.LimitPercent,
        ["reference"] = Footprint.ToDictionary(f => f.Name, f => f.Reference),
    });
}
