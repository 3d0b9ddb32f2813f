using System.Runtime.InteropServices;

namespace FleckChat.Hosting;

/// <summary>
/// SIGTERM (systemctl stop) and SIGINT (Ctrl-C) ask the daemon to stop gracefully. A second signal
/// while stopping is left to its default action, so an impatient admin can still kill it at once.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
    }

    public CancellationToken Token => _requested.Token;

    public PosixSignal? Received { get; private set; }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _requested.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_requested.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        Received = context.Signal;
        _requested.Cancel();
    }
}
