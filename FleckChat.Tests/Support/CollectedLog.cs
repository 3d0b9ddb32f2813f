using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace FleckChat.Tests.Support;

/// <summary>A Serilog logger (every level) whose events the test reads back.</summary>
internal sealed class CollectedLog : IDisposable
{
    private readonly Sink _sink = new();
    private readonly Logger _logger;

    public CollectedLog() => _logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(_sink).CreateLogger();

    public ILogger Logger => _logger;

    public IReadOnlyList<LogEvent> Events => [.. _sink.Events];

    /// <summary>The events written with a message template that starts with <paramref name="templateStart"/>.</summary>
    public IReadOnlyList<LogEvent> Matching(string templateStart) =>
        [.. _sink.Events.Where(e => e.MessageTemplate.Text.StartsWith(templateStart, StringComparison.Ordinal))];

    public void Dispose() => _logger.Dispose();

    /// <summary>Not the logger's owner: Serilog disposes sinks that are IDisposable when the logger is.</summary>
    private sealed class Sink : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }
}
