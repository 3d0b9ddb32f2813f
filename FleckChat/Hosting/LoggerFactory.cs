using System.Globalization;
using FleckChat.Hosting.Systemd;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>The daemon's Serilog pipeline: the console, and a daily rolling file with a size cap and a retained count.</summary>
internal static class LoggerFactory
{
    public const string FileNamePattern = "fleckchat-.log";
    public const long FileSizeLimitBytes = 10 * 1024 * 1024;
    public const int RetainedFileCount = 14;

    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static Logger Create(DaemonOptions options, bool console = true) => Create(options, OpenFiles(options), console);

    /// <summary>The pipeline with log files the caller can reopen (on SIGHUP); disposing the logger closes them.</summary>
    public static Logger Create(DaemonOptions options, LogFiles files, bool console = true)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(options.LogLevel)
            .WriteTo.Sink(files);
        if (console && JournalFormatter.IsJournalStream(Environment.GetEnvironmentVariable))
        {
            // Under systemd: journald adds the timestamp and reads the level from a syslog prefix.
            configuration = configuration.WriteTo.Console(new JournalFormatter(), standardErrorFromLevel: LogEventLevel.Error);
        }
        else if (console)
        {
            configuration = configuration.WriteTo.Console(
                outputTemplate: ConsoleTemplate,
                formatProvider: CultureInfo.InvariantCulture,
                standardErrorFromLevel: LogEventLevel.Error);
        }

        return configuration.CreateLogger();
    }

    /// <summary>
    /// The daily rolling files, as a sink that <see cref="LogFiles.Reopen"/> can close and open again and
    /// that says on stderr when they cannot be written.
    /// </summary>
    public static LogFiles OpenFiles(DaemonOptions options, Action<LogEventLevel, string>? announce = null, TimeProvider? time = null) => new(
        Path.GetFullPath(options.LogDirectory),
        listener => new LoggerConfiguration()
            .MinimumLevel.Verbose()
            // Fallible hands the listener to the file sink (which reports files it cannot open) and
            // reports what the sink throws (a write on a full disk).
            .WriteTo.Fallible(
                files => files.File(
                    Path.Combine(options.LogDirectory, FileNamePattern),
                    outputTemplate: FileTemplate,
                    formatProvider: CultureInfo.InvariantCulture,
                    rollingInterval: RollingInterval.Day,
                    fileSizeLimitBytes: FileSizeLimitBytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: RetainedFileCount),
                listener)
            .CreateLogger(),
        announce ?? AnnounceOnStderr,
        time);

    private static void AnnounceOnStderr(LogEventLevel level, string line)
    {
        string prefix = JournalFormatter.IsJournalStream(Environment.GetEnvironmentVariable) ? JournalFormatter.Prefix(level) : "";
        Console.Error.WriteLine($"{prefix}fleckchat: {line}");
    }
}
