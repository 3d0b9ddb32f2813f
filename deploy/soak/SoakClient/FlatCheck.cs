namespace FleckChat.Soak;

/// <summary>
/// Whether one footprint figure stayed flat after warm-up. The reference is the median of the samples
/// in the last minute of warm-up (one spike cannot set it); every later sample must stay within
/// ±limit of it. The end value is the median of the last minute.
/// </summary>
internal sealed record FlatCheck(string Name, string Unit, double Reference, double End, double Min, double Max, double LimitPercent, bool Judged)
{
    public double MaxDeviationPercent => Reference == 0 ? 0 : Math.Max(Max - Reference, Reference - Min) / Reference * 100;

    public bool Passed => !Judged || MaxDeviationPercent <= LimitPercent; // NaN (no samples) fails

    public static FlatCheck Of(string name, string unit, IReadOnlyList<Sample> samples, double warmupSeconds, double limitPercent, bool judged, Func<Sample, double> value)
    {
        // A figure below zero was not available at that sample (an unanswered /metrics).
        samples = [.. samples.Where(s => value(s) >= 0)];
        var before = samples.Where(s => s.ElapsedSeconds <= warmupSeconds && s.ElapsedSeconds > warmupSeconds - 60).Select(value).ToList();
        var after = samples.Where(s => s.ElapsedSeconds > warmupSeconds).Select(value).ToList();
        if (after.Count == 0)
        {
            return new FlatCheck(name, unit, double.NaN, double.NaN, double.NaN, double.NaN, limitPercent, judged);
        }

        double endFrom = samples[^1].ElapsedSeconds - 60;
        var last = samples.Where(s => s.ElapsedSeconds > warmupSeconds && s.ElapsedSeconds >= endFrom).Select(value).ToList();
        return new FlatCheck(name, unit, Median(before.Count > 0 ? before : [after[0]]), Median(last), after.Min(), after.Max(), limitPercent, judged);
    }

    public string Describe(Func<double, string> format) =>
        $"{Name}: warm-up end {format(Reference)}, end {format(End)}, after warm-up {format(Min)} .. {format(Max)} {Unit}, " +
        $"largest deviation {MaxDeviationPercent:F1} %" + (Judged ? $" (limit {LimitPercent:F0} %): {(Passed ? "PASS" : "FAIL")}" : " (reported, not judged)");

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
