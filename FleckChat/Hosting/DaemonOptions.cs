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
