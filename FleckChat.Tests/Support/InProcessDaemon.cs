using System.Net;
using FleckChat.Hosting;
using FleckChat.Server;

namespace FleckChat.Tests.Support;

/// <summary>The daemon's composition (<see cref="ChatDaemon"/>) in the test process, on 127.0.0.1 with a free port.</summary>
internal static class InProcessDaemon
{
    public static ChatDaemon Start(bool separateMetrics = false, Func<WebSocketServerOptions, WebSocketServerOptions>? tune = null,
        Func<DaemonOptions, DaemonOptions>? configure = null, Serilog.ILogger? log = null)
    {
        var daemon = Create(separateMetrics, tune, configure, log);
        daemon.Start();
        return daemon;
    }

    /// <summary>Starts it as the daemon does (<see cref="ChatDaemon.StartAsync"/>): serving first, then connecting its Redis when the options name one.</summary>
    public static async Task<ChatDaemon> StartAsync(Func<DaemonOptions, DaemonOptions>? configure = null, Serilog.ILogger? log = null)
    {
        var daemon = Create(separateMetrics: false, tune: null, configure, log);
        try
        {
            await daemon.StartAsync(CancellationToken.None).Bounded();
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    public static string BaseUrl(this ChatDaemon daemon) => $"http://127.0.0.1:{daemon.Port}";

    public static string MetricsUrl(this ChatDaemon daemon) => $"http://127.0.0.1:{daemon.Http.MetricsPort}";

    public static Uri ChatUri(this ChatDaemon daemon) => new($"ws://127.0.0.1:{daemon.Port}/chat");

    private static ChatDaemon Create(bool separateMetrics, Func<WebSocketServerOptions, WebSocketServerOptions>? tune,
        Func<DaemonOptions, DaemonOptions>? configure, Serilog.ILogger? log)
    {
        var options = new DaemonOptions
        {
            Port = 0,
            Bind = IPAddress.Loopback,
            MetricsBind = separateMetrics ? new IPEndPoint(IPAddress.Loopback, 0) : null,
        };
        options = configure?.Invoke(options) ?? options;
        var daemon = new ChatDaemon(options, log ?? Serilog.Core.Logger.None);
        if (tune is not null)
        {
            daemon.Server.Options = tune(daemon.Server.Options);
        }

        return daemon;
    }
}
