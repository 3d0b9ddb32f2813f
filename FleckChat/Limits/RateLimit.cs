using System.Globalization;

namespace FleckChat.Limits;

/// <summary>
/// At most <see cref="Count"/> events per <see cref="Window"/>; a count of 0 is no limit. The chat's
/// message rate and the server's connect rate per address are both one, written <c>10/5</c> (10 per
/// 5 seconds) or <c>0</c> on the command line.
/// </summary>
internal sealed record RateLimit(int Count, TimeSpan Window)
{
    public static RateLimit Off { get; } = new(0, TimeSpan.FromSeconds(1));

    private bool IsOff => Count == 0;

    /// <summary>The steady rate, events per second (0 when off).</summary>
    public double PerSecond => IsOff || Window <= TimeSpan.Zero ? 0 : Count / Window.TotalSeconds;

    public static RateLimit PerSeconds(int count, int seconds) => new(count, TimeSpan.FromSeconds(seconds));

    /// <summary>Reads <c>COUNT/SECONDS</c> (1-100000 per 1-3600 s; <c>10/5s</c> works too) or <c>0</c>.</summary>
    public static bool TryParse(string text, out RateLimit limit)
    {
        limit = Off;
        if (text == "0")
        {
            return true;
        }

        var parts = text.Split('/');
        if (parts.Length == 2 &&
            int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count is > 0 and <= 100_000 &&
            int.TryParse(parts[1].TrimEnd('s'), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is > 0 and <= 3600)
        {
            limit = PerSeconds(count, seconds);
            return true;
        }

        return false;
    }

    /// <summary>The command-line form: <c>10/5</c>, or <c>0</c> when off.</summary>
    public override string ToString() => IsOff ? "0" : string.Create(CultureInfo.InvariantCulture, $"{Count}/{Window.TotalSeconds:0.###}");
}
