using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace FleckChat.Tests.Support;

/// <summary>
/// Waits for the chat's member count, read from the join and leave lines the chat logs: a sink put
/// beside the chat's real log (<see cref="Wrap"/>). It counts the lines rather than reading their Count
/// property, so two leaves logged in either order still end at the right number, and a wait for a
/// leave ends only once its line has been written. The chat logs a limited number of these lines a
/// second (the rest are only counted), so use it in tests with a few joins and leaves.
/// </summary>
internal sealed class MemberWatch : ILogEventSink
{
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];
    private int _count;

    /// <summary>A logger that writes to <paramref name="log"/> first (when given), then to this watch.</summary>
    public ILogger Wrap(ILogger? log = null)
    {
        // As verbose as the wrapped logger, and at least Information, where the join and leave lines are.
        var level = Enum.GetValues<LogEventLevel>().First(l => l == LogEventLevel.Information || log?.IsEnabled(l) == true);
        var configuration = new LoggerConfiguration().MinimumLevel.Is(level);
        if (log is not null)
        {
            configuration.WriteTo.Logger(log);
        }

        return configuration.WriteTo.Sink(this).CreateLogger();
    }

    public void Emit(LogEvent logEvent)
    {
        string template = logEvent.MessageTemplate.Text;
        int change = template.StartsWith("{Name} joined ", StringComparison.Ordinal) ? 1
            : template.StartsWith("{Name} left ", StringComparison.Ordinal) ? -1
            : 0;
        if (change == 0)
        {
            return;
        }

        lock (_gate)
        {
            _count += change;
            foreach (var wait in _waits.Where(w => w.Count == _count))
            {
                wait.Reached.TrySetResult();
            }

            _waits.RemoveAll(w => w.Reached.Task.IsCompleted);
        }
    }

    /// <summary>Completes when the chat has logged members coming and going to <paramref name="count"/> (bounded).</summary>
    public Task WaitForCountAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_count == count)
            {
                return Task.CompletedTask;
            }

            _waits.Add((count, reached));
        }

        return reached.Task.Bounded();
    }
}
