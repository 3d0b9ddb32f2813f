using System.Runtime.InteropServices;

namespace FleckChat.Hosting;

/// <summary>
/// SIGHUP (<c>systemctl reload</c>) asks for a reload instead of ending the process. Signals that
/// arrive while one is pending are folded into it.
/// </summary>
internal sealed class ReloadSignal : IDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _pending = new(0, 1);
    private readonly PosixSignalRegistration _registration;

    public ReloadSignal() => _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

    /// <summary>Completes when a SIGHUP came in since the last call.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _pending.WaitAsync(cancellationToken);

    public void Dispose()
    {
        _registration.Dispose();
        _pending.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_gate)
        {
            if (_pending.CurrentCount == 0)
            {
                _pending.Release();
            }
        }
    }
}
