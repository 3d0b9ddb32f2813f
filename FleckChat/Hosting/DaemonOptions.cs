using System.Net;
using FleckChat.Chat;
using FleckChat.Server;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>
/// Everything the daemon can be told on its command line (or through FLECKCHAT_* variables): the
/// chat's rules and the server's limits as the records that use them, and the daemon's own settings.
/// Each default is written once, in the record that holds the setting.
/// </summary>
internal sealed record DaemonOptions
{
    public int Port { get; init; } = 8080;

    public IPAddress Bind { get; init; } = IPAddress.Any;

    public string Path { get; init; } = "/chat";

    public string LogDirectory { get; init; } = "logs";

    public LogEventLevel LogLevel { get; init; } = LogEventLevel.Information;

    public ChatOptions Chat { get; init; } = new();

    public WebSocketServerOptions Server { get; init; } = new();

    /// <summary>Where /healthz and /metrics get a listener of their own; null serves them on the chat port.</summary>
    public IPEndPoint? MetricsBind { get; init; }

    /// <summary>Serve /metrics on the chat port to any client, not only to local ones (127.0.0.1, ::1).</summary>
    public bool MetricsPublic { get; init; }

    /// <summary>PEM certificate (chain) or PKCS#12 file; when set, the daemon serves wss://.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>PEM private key for <see cref="CertificatePath"/>, unless that file holds it.</summary>
    public string? KeyPath { get; init; }

    /// <summary>
    /// A StackExchange.Redis configuration string (<c>127.0.0.1:6379,password=...</c>) for the Redis
    /// the daemon shares rooms through with other daemons; null: a single daemon, no Redis.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>With <see cref="Redis"/>: how long a dead node's names and presence outlive its last heartbeat.</summary>
    public TimeSpan RedisLease { get; init; } = Cluster.NameClaims.DefaultLease;

    /// <summary>The WebSocket location the server listens on, e.g. <c>ws://0.0.0.0:8080/chat</c> (wss:// with a certificate).</summary>
    public ServerLocation Location => new(CertificatePath is not null, Bind, Port, Path);
}
