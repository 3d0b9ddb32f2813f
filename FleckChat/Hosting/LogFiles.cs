using Serilog.Core;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>
/// The log-file part of the pipeline, which can be closed and opened again on SIGHUP: after logrotate
/// (or an admin) moved or deleted the current file, the next event goes to a fresh one. Events that
/// arrive during a reopen wait for it; none is lost.
/// </summary>
/// <remarks>
/// When the files cannot be written (the directory is missing and cannot be made, is not a
/// directory, or the disk is full) chat goes on without them. The file sink reports each event it
/// could not write to this class, its failure listener; a failing episode is announced once (on
/// stderr, where journald reads it), its events are counted for /metrics, and /healthz says so.
/// While failing, the files are opened afresh every <see cref="RetryInterval"/>, because the file
/// sink itself tries again only when it next rolls (at midnight); the first event written again
/// ends the episode, which is announced once on stderr and in the file.
/// </remarks>
internal sealed class LogFiles : ILogEventSink, ILoggingFailureListener, IDisposable
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly string _directory;
    private readonly Func<ILoggingFailureListener, Logger> _open;
    private readonly Action<LogEventLevel, string> _announce;
    private readonly TimeProvider _time;
    private Logger _current;
    private long _openedAt;
    private string? _failure;
    private long _failedEvents;
    private long _failedBeforeEpisode;
    private volatile bool _failing;
    private bool _disposed;

    /// <param name="directory">Where the files are, as the announcements name it.</param>
    /// <param name="open">Opens the files: a logger that writes every event it is given and reports failures to the listener.</param>
    /// <param name="announce">Writes one line where an operator sees it even when the files fail (stderr).</param>
    public LogFiles(string directory, Func<ILoggingFailureListener, Logger> open, Action<LogEventLevel, string> announce, TimeProvider? time = null)
    {
        _directory = directory;
        _open = open;
        _announce = announce;
        _time = time ?? TimeProvider.System;
        _current = open(this);
        _openedAt = _time.GetTimestamp();
    }

    /// <summary>True from an event that could not be written until one is written again.</summary>
    public bool IsFailing => _failing;

    /// <summary>Events that could not be written to the files, since start.</summary>
    public long FailedEvents => Interlocked.Read(ref _failedEvents);

    public void Emit(LogEvent logEvent)
    {
        // The file sink takes its own lock per event anyway; this one orders events against Reopen and
        // ties each failure report (made synchronously, inside the sink's Emit) to its event.
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_failing && _time.GetElapsedTime(_openedAt) >= RetryInterval)
            {
                ReopenLocked();
            }

            _failure = null;
            ((ILogEventSink)_current).Emit(logEvent);
            if (_failure is not null)
            {
                Failed(_failure);
            }
            else if (_failing)
            {
                Recovered();
            }
        }
    }

    /// <summary>Flushes and closes the current file, then opens the file for now afresh.</summary>
    public void Reopen()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                ReopenLocked();
            }
        }
    }

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        // Temporary: the sink tries again itself (the next file name when one is locked); what it
        // then fails to do comes as a Permanent or Final report.
        if (kind != LoggingFailureKind.Temporary)
        {
            _failure ??= exception?.Message ?? message;
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
            Close();
        }
    }

    private void ReopenLocked()
    {
        Close();
        _current = _open(this);
        _openedAt = _time.GetTimestamp();
    }

    private void Close()
    {
        try
        {
            _current.Dispose();
        }
        catch (IOException)
        {
            // A file on a full disk fails again when closed (its stream flushes what it could not
            // write); those events are counted as lost already, and the reopen or shutdown goes on.
        }
    }

    private void Failed(string reason)
    {
        Interlocked.Increment(ref _failedEvents);
        if (_failing)
        {
            return;
        }

        _failing = true;
        _failedBeforeEpisode = _failedEvents - 1;
        _announce(LogEventLevel.Error, $"cannot write the log files in {_directory}: {reason}; chat goes on, log events are lost until writing works again");
    }

    private void Recovered()
    {
        _failing = false;
        long lost = _failedEvents - _failedBeforeEpisode;
        _announce(LogEventLevel.Warning, $"the log files in {_directory} are written again; {lost} log events were lost");
        _current.Warning("Log files written again after {LostEvents} log events were lost", lost);
    }
}
