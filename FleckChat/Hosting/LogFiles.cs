using Serilog.Core;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>
/// The log-file part of the pipeline, which can be closed and opened again on SIGHUP: after logrotate
/// (or an admin) moved or deleted the current file, the next event goes to a fresh one. Events that
/// arrive during a reopen wait for it; none is lost.
/// </summary>
internal sealed class LogFiles : ILogEventSink, IDisposable
{
    private readonly object _gate = new();
    private readonly Func<Logger> _open;
    private Logger _current;
    private bool _disposed;

    /// <param name="open">Opens the files: a logger that writes every event it is given.</param>
    public LogFiles(Func<Logger> open)
    {
        _open = open;
        _current = open();
    }

    public void Emit(LogEvent logEvent)
    {
        // The file sink takes its own lock per event anyway; this one only orders events against Reopen.
        lock (_gate)
        {
            if (!_disposed)
            {
                ((ILogEventSink)_current).Emit(logEvent);
            }
        }
    }

    /// <summary>Flushes and closes the current file, then opens the file for now afresh.</summary>
    public void Reopen()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _current.Dispose();
            _current = _open();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _current.Dispose();
        }
    }
}
