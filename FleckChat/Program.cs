using System.Net.Sockets;
using FleckChat.Hosting;

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
        using var signals = new ShutdownSignals();
        await using var log = LoggerFactory.Create(options);
        var daemon = new ChatDaemon(options, log);
        try
        {
            daemon.Start();
        }
        catch (SocketException ex)
        {
            log.Fatal("Cannot listen on {Endpoint}: {Error}", options.Location, ex.Message);
            return ExitCodes.CannotListen;
        }
        catch (ListenFailedException ex)
        {
            log.Fatal("Cannot listen on {Endpoint}: {Error}", ex.Endpoint, ex.Reason);
            return ExitCodes.CannotListen;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, signals.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            log.Information("Received {Signal}", signals.Received?.ToString());
        }

        await daemon.StopAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
