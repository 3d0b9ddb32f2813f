using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace FleckChat.Hosting.Systemd;

/// <summary>
/// Console output for the journal: no timestamp (journald stamps every line itself) and a syslog
/// priority prefix on every line (<c>&lt;6&gt;</c> information, <c>&lt;4&gt;</c> warning, <c>&lt;3&gt;</c>
/// error ...), so <c>journalctl -p warning</c> finds warnings and a stack trace keeps its event's priority.
/// </summary>
internal sealed class JournalFormatter : ITextFormatter
{
    public const string Template = "{Message:lj}{NewLine}{Exception}";

    private readonly MessageTemplateTextFormatter _inner = new(Template, CultureInfo.InvariantCulture);

    /// <summary>systemd connects stdout and stderr to the journal and says so in <c>JOURNAL_STREAM</c>.</summary>
    public static bool IsJournalStream(Func<string, string?> getEnvironment) => !string.IsNullOrEmpty(getEnvironment("JOURNAL_STREAM"));

    /// <summary>The sd-daemon(3) prefix for a level.</summary>
    public static string Prefix(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => "<2>",       // SD_CRIT
        LogEventLevel.Error => "<3>",       // SD_ERR
        LogEventLevel.Warning => "<4>",     // SD_WARNING
        LogEventLevel.Information => "<6>", // SD_INFO
        _ => "<7>",                         // SD_DEBUG
    };

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        _inner.Format(logEvent, text);
        string prefix = Prefix(logEvent.Level);
        foreach (var line in text.ToString().AsSpan().EnumerateLines())
        {
            if (!line.IsEmpty)
            {
                output.Write(prefix);
                output.Write(line);
                output.Write('\n');
            }
        }
    }
}
