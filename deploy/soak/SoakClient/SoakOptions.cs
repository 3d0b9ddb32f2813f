using System.Globalization;
using System.Net;

namespace FleckChat.Soak;

/// <summary>What one soak run does; every setting has its default here and nowhere else.</summary>
internal sealed class SoakOptions
{
    public const string Usage = """
        soak-client --url ws://127.0.0.1:PORT/chat --pid PID --out DIR [options]
          --duration D   load time, e.g. 1h, 35m, 90s (default 1h)
          --warmup D     start of the load that the flatness check ignores (default 5m)
          --members N    steady members, connected for the whole run (default 1000)
          --rooms N      rooms they are spread over, round robin (default 20)
          --rate N       messages per second from all steady members together (default 500)
          --churn N      short-lived extra connections per second (default 20)
          --sample D     how often the daemon is sampled (default 10s)
          --metrics URL  the daemon's /metrics (default: http://HOST:PORT/metrics of --url)
          --limit P      allowed drift of RSS and descriptors after warm-up, in percent (default 10)
        """;

    public Uri Url { get; private init; } = new("ws://127.0.0.1:8080/chat");
    public Uri Metrics { get; private init; } = new("http://127.0.0.1:8080/metrics");
    public int Pid { get; private init; }
    public string OutDir { get; private init; } = "";
    public TimeSpan Duration { get; private init; } = TimeSpan.FromHours(1);
    public TimeSpan Warmup { get; private init; } = TimeSpan.FromMinutes(5);
    public int Members { get; private init; } = 1000;
    public int Rooms { get; private init; } = 20;
    public double Rate { get; private init; } = 500;
    public double Churn { get; private init; } = 20;
    public TimeSpan SampleEvery { get; private init; } = TimeSpan.FromSeconds(10);
    public double LimitPercent { get; private init; } = 10;

    /// <summary>The interval at which each steady member speaks so that all of them together send <see cref="Rate"/>/s.</summary>
    public TimeSpan SendInterval => TimeSpan.FromSeconds(Members / Rate);

    public static SoakOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument {args[i]}");
            }

            values[args[i][2..]] = args[++i];
        }

        string Take(string key, string fallback) => values.Remove(key, out var v) ? v : fallback;
        var url = new Uri(Take("url", "ws://127.0.0.1:8080/chat"));
        var options = new SoakOptions
        {
            Url = url,
            Metrics = new Uri(Take("metrics", $"http://{url.Authority}/metrics")),
            Pid = int.Parse(Take("pid", "0"), CultureInfo.InvariantCulture),
            OutDir = Take("out", ""),
            Duration = ParseDuration(Take("duration", "1h")),
            Warmup = ParseDuration(Take("warmup", "5m")),
            Members = int.Parse(Take("members", "1000"), CultureInfo.InvariantCulture),
            Rooms = int.Parse(Take("rooms", "20"), CultureInfo.InvariantCulture),
            Rate = double.Parse(Take("rate", "500"), CultureInfo.InvariantCulture),
            Churn = double.Parse(Take("churn", "20"), CultureInfo.InvariantCulture),
            SampleEvery = ParseDuration(Take("sample", "10s")),
            LimitPercent = double.Parse(Take("limit", "10"), CultureInfo.InvariantCulture),
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option --{values.Keys.First()}");
        }

        options.Validate();
        return options;
    }

    /// <summary>1h, 35m, 90s, 250ms, or a bare number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        (string number, double unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('h') => (text[..^1], 3600),
            _ when text.EndsWith('m') => (text[..^1], 60),
            _ when text.EndsWith('s') => (text[..^1], 1),
            _ => (text, 1),
        };
        return TimeSpan.FromSeconds(double.Parse(number, CultureInfo.InvariantCulture) * unit);
    }

    private void Validate()
    {
        // The soak opens a thousand sockets and tens of thousands of short-lived ones: never at someone else's host.
        if (!IPAddress.TryParse(Url.Host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"refusing a target that is not a loopback address: {Url}");
        }

        if (Pid <= 0 || !Directory.Exists($"/proc/{Pid}"))
        {
            throw new ArgumentException($"--pid must name the running daemon (got {Pid})");
        }

        if (OutDir.Length == 0)
        {
            throw new ArgumentException("--out is required");
        }

        if (Members < 1 || Rooms < 1 || Rooms > Members || Rate <= 0 || Churn < 0 || Warmup >= Duration)
        {
            throw new ArgumentException("need members >= rooms >= 1, rate > 0, churn >= 0 and warm-up shorter than the duration");
        }
    }
}
