using System.Net.Sockets;
using FleckChat.Hosting;
using FleckChat.Hosting.Systemd;

namespace FleckChat;

/// <summary>Composition only: read the options, build the logger, run the daemon until a signal.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var commandLine = new DaemonCommandLine(Environment.GetEnvironmentVariable);
        var parsed = commandLine.Command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"fleckchat: {parsed.Errors[0].Message} (see fleckchat --help)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (parsed.Action is not null)
        {
            // --help or --version: System.CommandLine prints them.
            return await parsed.InvokeAsync().ConfigureAwait(false);
        }

        return await RunAsync(commandLine.Read(parsed)).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(DaemonOptions options)
    {
        // What the admin or systemd handed over (certificate files, an inherited socket), checked before anything starts.
        TlsCertificate? certificate;
        ServiceEnvironment service;
        try
        {
            certificate = TlsCertificate.Load(options.CertificatePath, options.KeyPath);
            service = ServiceEnvironment.Read(Environment.GetEnvironmentVariable, Environment.ProcessId);
        }
        catch (StartupException ex)
        {
            await Console.Error.WriteLineAsync($"fleckchat: {ex.Message}").ConfigureAwait(false);
            return ex.ExitCode;
        }

        options = service.Apply(options);
        using var signals = new ShutdownSignals();
        using var reloadSignal = new ReloadSignal();
        var logFiles = LoggerFactory.OpenFiles(options);
        await using var log = LoggerFactory.Create(options, logFiles);
        using var systemd = new SystemdNotifier(service.NotifySocket, log);
        var daemon = new ChatDaemon(options, log, service.Listener);
        daemon.Server.CertificateContext = certificate?.Context;
        try
        {
            daemon.Start();
        }
        catch (SocketException ex)
        {
            log.Fatal("Cannot listen on {Endpoint}: {Error}", options.Location, ex.Message);
            return ExitCodes.CannotListen;
        }

        if (service.Listener is not null)
        {
            log.Information("Socket activation: serving on the socket systemd passed; --port and --bind do not apply");
        }

        certificate?.LogSummary(log);
        string Status() => $"{daemon.Server.ConnectionCount} connections on {daemon.Endpoint}";
        systemd.Ready(Status());
        var reload = new DaemonReload(options, daemon.Server, logFiles, systemd, log, Status);
        var background = Task.WhenAll(
            ServiceHeartbeat.RunAsync(systemd, Status, service.WatchdogTimeout, signals.Token),
            reload.RunAsync(reloadSignal, signals.Token));

        try
        {
            await Task.Delay(Timeout.Infinite, signals.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            log.Information("Received {Signal}", signals.Received?.ToString());
        }

        systemd.Stopping();
        await background.ConfigureAwait(false);
        await daemon.StopAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
