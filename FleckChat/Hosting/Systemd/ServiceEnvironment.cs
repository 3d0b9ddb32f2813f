using System.Net;
using System.Net.Sockets;

namespace FleckChat.Hosting.Systemd;

/// <summary>
/// What systemd handed the process in its environment: the notification socket (<c>Type=notify</c>),
/// the watchdog timeout (<c>WatchdogSec=</c>) and the listening socket (socket activation). Empty
/// when the daemon runs by hand.
/// </summary>
internal sealed record ServiceEnvironment(NotifySocket? NotifySocket, TimeSpan? WatchdogTimeout, Socket? Listener)
{
    /// <exception cref="StartupException">A variable is set but unusable.</exception>
    public static ServiceEnvironment Read(Func<string, string?> getEnvironment, int processId)
    {
        var watchdog = Watchdog.TimeoutFromEnvironment(getEnvironment, processId);
        var listener = SocketActivation.TakeListener(getEnvironment, processId);
        try
        {
            return new ServiceEnvironment(NotifySocket.FromEnvironment(getEnvironment), watchdog, listener);
        }
        catch
        {
            listener?.Dispose();
            throw;
        }
    }

    /// <summary>The options with the inherited socket's address and port, so logs and status say where the daemon really listens.</summary>
    public DaemonOptions Apply(DaemonOptions options) =>
        Listener?.LocalEndPoint is IPEndPoint bound ? options with { Bind = bound.Address, Port = bound.Port } : options;
}
