using System.Globalization;

namespace FleckChat.Hosting;

/// <summary>A rate limit as written on the command line: <c>10/5</c> is 10 messages per 5 seconds; <c>0</c> is none.</summary>
internal sealed record RateLimit(int Count, int Seconds)
{
    public static RateLimit Off { get; } = new(0, 1);

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
            limit = new RateLimit(count, seconds);
            return true;
        }

        return false;
    }

    public override string ToString() => Count == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{Count}/{Seconds}");
}
