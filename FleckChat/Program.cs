using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using FleckChat.Client;
using FleckChat.Hosting;
using FleckChat.Hosting.Systemd;

namespace FleckChat;

/// <summary>Composition only: read the options, build the logger, run the daemon until a signal.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var commandLine = new DaemonCommandLine(Environment.GetEnvironmentVariable);
        var clientCommandLine = new ClientCommandLine(Environment.GetEnvironmentVariable);
        commandLine.Command.Add(clientCommandLine.Command);

        // Both commands run below, not through System.CommandLine's invocation (which would take over
        // SIGTERM and Ctrl-C); the actions only mark them as runnable without a subcommand.
        commandLine.Command.SetAction(static _ => ExitCodes.Ok);
        clientCommandLine.Command.SetAction(static _ => ExitCodes.Ok);
        var parsed = commandLine.Command.Parse(args);
        bool isClient = parsed.CommandResult.Command == clientCommandLine.Command;

        if (isClient && clientCommandLine.UnknownOption(parsed) is { } unknown)
        {
            return await UsageErrorAsync($"unknown option '{unknown}'", isClient).ConfigureAwait(false);
        }

        // The client ignores the daemon's options, so a FLECKCHAT_* variable meant for the daemon cannot stop it.
        var errors = isClient ? [.. parsed.Errors.Where(e => e.SymbolResult is not OptionResult { Parent: CommandResult { Command: RootCommand } })] : parsed.Errors;
        if (errors.Count > 0)
        {
            return await UsageErrorAsync(errors[0].Message, isClient).ConfigureAwait(false);
        }

        if (parsed.Action is not (null or ParseErrorAction) && parsed.Action != commandLine.Command.Action && parsed.Action != clientCommandLine.Command.Action)
        {
            // --help or --version: System.CommandLine prints them.
            return await parsed.InvokeAsync().ConfigureAwait(false);
        }

        if (isClient)
        {
            return clientCommandLine.NameConflict(parsed) is { } conflict
                ? await UsageErrorAsync(conflict, isClient).ConfigureAwait(false)
                : await RunClientAsync(clientCommandLine.Read(parsed)).ConfigureAwait(false);
        }

        return await RunAsync(commandLine.Read(parsed)).ConfigureAwait(false);
    }

    private static async Task<int> UsageErrorAsync(string message, bool isClient)
    {
        await Console.Error.WriteLineAsync($"fleckchat: {message} (see fleckchat {(isClient ? "client " : "")}--help)").ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    private static async Task<int> RunClientAsync(ClientOptions options)
    {
        using var signals = new ShutdownSignals();
        IClientConsole console = Console.IsInputRedirected || Console.IsOutputRedirected
            ? new PipeConsole(Console.In, Console.Out, outputIsTerminal: !Console.IsOutputRedirected)
            : new InteractiveConsole();
        return await TerminalClient.RunAsync(options, console, Console.Error, reconnect: console is InteractiveConsole, TimeProvider.System, signals.Token)
            .ConfigureAwait(false);
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
        var daemon = new ChatDaemon(options, log, listener: service.Listener, logFiles: logFiles);
        daemon.Server.CertificateContext = certificate?.Context;
        try
        {
            await daemon.StartAsync(signals.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            log.Fatal("Cannot listen on {Endpoint}: {Error}", options.Location.ToString(), ex.Message);
            return ExitCodes.CannotListen;
        }
        catch (ListenFailedException ex)
        {
            log.Fatal("Cannot listen on {Endpoint}: {Error}", ex.Endpoint, ex.Reason);
            return ExitCodes.CannotListen;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            // Stopped while connecting to Redis: the same orderly stop as later on.
            log.Information("Received {Signal} while starting", signals.Received?.ToString());
            await daemon.StopAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
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
