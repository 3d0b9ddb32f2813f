using FleckChat.Hosting.Systemd;
using FleckChat.Server;
using Serilog;

namespace FleckChat.Hosting;

/// <summary>
/// What a reload (SIGHUP) does: reopen the log files and load the TLS certificate files again, so
/// logrotate and certificate renewals need no restart. Connections are not touched; new TLS
/// handshakes use the new certificate. Broken new certificate files are reported and the current
/// certificate stays.
/// </summary>
internal sealed class DaemonReload(DaemonOptions options, WebSocketServer server, LogFiles files, SystemdNotifier systemd, ILogger log, Func<string> status)
{
    /// <summary>Reloads once per signal until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(ReloadSignal signal, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                Reload();
            }
            catch (Exception ex)
            {
                // Background work reports its errors; the next SIGHUP tries again.
                log.Error(ex, "Reload failed");
                systemd.Ready(status());
            }
        }
    }

    public void Reload()
    {
        systemd.Reloading();
        log.Information("Received {Signal}: reopening log files", "SIGHUP");
        files.Reopen();
        if (options.CertificatePath is not null)
        {
            try
            {
                var certificate = TlsCertificate.Load(options.CertificatePath, options.KeyPath)!;
                server.CertificateContext = certificate.Context;
                certificate.LogSummary(log);
            }
            catch (StartupException ex)
            {
                log.Error("Keeping the current TLS certificate: {Error}", ex.Message);
            }
        }

        log.Information("Reloaded with {Connections} connections kept", server.ConnectionCount);
        systemd.Ready(status());
    }
}
