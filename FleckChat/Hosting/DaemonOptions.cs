using System.Net;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>Everything the daemon can be told on its command line (or through FLECKCHAT_* variables).</summary>
internal sealed record DaemonOptions
{
    public int Port { get; init; } = 8080;

    public IPAddress Bind { get; init; } = IPAddress.Any;

    public string Path { get; init; } = "/chat";

    public int MaxMessageBytes { get; init; } = 64 * 1024;

    public string LogDirectory { get; init; } = "logs";

    public LogEventLevel LogLevel { get; init; } = LogEventLevel.Information;

    /// <summary>Past messages shown to a newcomer (0: none).</summary>
    public int History { get; init; } = 20;

    public int MaxTextBytes { get; init; } = 4096;

    /// <summary>Messages per window a member may send; <see cref="RateLimit.Off"/> disables the limit.</summary>
    public RateLimit RateLimit { get; init; } = new(10, 5);

    public int FloodWindows { get; init; } = 3;

    /// <summary>Sockets held at once, from accept(); the default comes from the descriptor limit (<see cref="DescriptorLimit"/>).</summary>
    public int MaxConnections { get; init; } = DescriptorLimit.DefaultMaxConnections(DescriptorLimit.Current());

    public int MaxConnectionsPerIp { get; init; } = 100;

    /// <summary>Unfinished handshakes at once; at the cap the oldest is reset.</summary>
    public int MaxHandshakes { get; init; } = 1000;

    public int MaxHandshakesPerIp { get; init; } = 64;

    /// <summary>New connections one address may open: a burst of Count, refilled over Seconds; <see cref="RateLimit.Off"/> disables it.</summary>
    public RateLimit ConnectRatePerIp { get; init; } = new(60, 10);

    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Seconds a member may stay silent before being disconnected (0: forever).</summary>
    public int IdleTimeoutSeconds { get; init; }

    public bool JoinNotices { get; init; } = true;

    public int MaxRooms { get; init; } = 1000;

    /// <summary>Where /healthz and /metrics get a listener of their own; null serves them on the chat port.</summary>
    public IPEndPoint? MetricsBind { get; init; }

    /// <summary>Serve /metrics on the chat port to any client, not only to local ones (127.0.0.1, ::1).</summary>
    public bool MetricsPublic { get; init; }

    /// <summary>PEM certificate (chain) or PKCS#12 file; when set, the daemon serves wss://.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>PEM private key for <see cref="CertificatePath"/>, unless that file holds it.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The WebSocket location the server listens on, e.g. <c>ws://0.0.0.0:8080/chat</c> (wss:// with a certificate).</summary>
    public string Location => Format(Port);

    public string Format(int port)
    {
        string host = Bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Bind}]" : Bind.ToString();
        string scheme = CertificatePath is null ? "ws" : "wss";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}{Path}");
    }
}
