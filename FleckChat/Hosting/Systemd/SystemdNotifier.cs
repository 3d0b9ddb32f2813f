using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Serilog;

namespace FleckChat.Hosting.Systemd;

/// <summary>
/// What the daemon tells systemd (a <c>Type=notify</c> unit): ready, its status line, reloading,
/// stopping and the watchdog's keep-alive. Without <c>NOTIFY_SOCKET</c> every call does nothing.
/// A notification that cannot be delivered is logged and never stops the daemon.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly NotifySocket? _socket;
    private readonly ILogger _log;
    private int _failures;

    public SystemdNotifier(NotifySocket? socket, ILogger log)
    {
        _socket = socket;
        _log = log;
    }

    public bool IsEnabled => _socket is not null;

    /// <summary>The listener is bound and accepting: clients can connect from now on.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    public void Status(string status) => Send($"STATUS={status}");

    /// <summary>A reload (SIGHUP) begins; <see cref="Ready"/> ends it.</summary>
    public void Reloading() =>
        Send(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}\nSTATUS=Reloading"));

    public void Stopping() => Send("STOPPING=1\nSTATUS=Shutting down");

    public void Watchdog() => Send("WATCHDOG=1");

    public void Dispose() => _socket?.Dispose();

    // CLOCK_MONOTONIC, which is what Stopwatch reads on Linux.
    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    private void Send(string state)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _socket.Send(state);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The first failure is worth a warning (a wrong NOTIFY_SOCKET); repeating it every second is not.
            if (Interlocked.Increment(ref _failures) == 1)
            {
                _log.Warning("Cannot notify systemd at {NotifySocket}: {Error}", _socket.Address, ex.Message);
            }
            else
            {
                _log.Debug("Cannot notify systemd at {NotifySocket}: {Error}", _socket.Address, ex.Message);
            }
        }
    }
}
