using System.CommandLine;
using System.Globalization;
using System.Net;
using Serilog.Events;

namespace FleckChat.Hosting;

/// <summary>
/// The daemon's command line: <c>fleckchat [--port 8080] [--bind 0.0.0.0] [--path /chat]
/// [--max-message-bytes 65536] [--log-dir logs] [--log-level Information] [--cert PATH [--key PATH]]</c>, each also settable
/// through a FLECKCHAT_* environment variable (the flag wins).
/// </summary>
internal sealed class DaemonCommandLine
{
    private readonly Option<int> _port;
    private readonly Option<IPAddress> _bind;
    private readonly Option<string> _path;
    private readonly Option<int> _maxMessageBytes;
    private readonly Option<string> _logDir;
    private readonly Option<LogEventLevel> _logLevel;
    private readonly Option<string?> _cert;
    private readonly Option<string?> _key;

    public DaemonCommandLine(Func<string, string?> getEnvironment)
    {
        var defaults = new DaemonOptions();
        _port = OptionBuilder.Create("--port", "FLECKCHAT_PORT", defaults.Port,
            "TCP port to listen on (0 picks a free one).", ParsePort, getEnvironment);
        _bind = OptionBuilder.Create("--bind", "FLECKCHAT_BIND", defaults.Bind,
            "Address to listen on: 0.0.0.0 (all IPv4), :: (all IPv6 and IPv4), or one address.", ParseAddress, getEnvironment);
        _path = OptionBuilder.Create("--path", "FLECKCHAT_PATH", defaults.Path,
            "Path of the chat endpoint.", ParsePath, getEnvironment);
        _maxMessageBytes = OptionBuilder.Create("--max-message-bytes", "FLECKCHAT_MAX_MESSAGE_BYTES", defaults.MaxMessageBytes,
            "Largest message accepted; a larger one closes the connection with 1009.", ParseMessageSize, getEnvironment);
        _logDir = OptionBuilder.Create("--log-dir", "FLECKCHAT_LOG_DIR", defaults.LogDirectory,
            "Directory for the daily log files (relative to the working directory).", ParseDirectory, getEnvironment);
        _logLevel = OptionBuilder.Create("--log-level", "FLECKCHAT_LOG_LEVEL", defaults.LogLevel,
            "Verbose, Debug, Information, Warning, Error or Fatal.", ParseLevel, getEnvironment);
        _cert = OptionBuilder.Create("--cert", "FLECKCHAT_CERT", defaults.CertificatePath,
            "Serve wss:// with this certificate: a PEM file (a full chain works) or a PKCS#12 file without password. SIGHUP reloads it.",
            ParseFile, getEnvironment);
        _key = OptionBuilder.Create("--key", "FLECKCHAT_KEY", defaults.KeyPath,
            "PEM private key for --cert (not needed when the --cert file holds the key).", ParseFile, getEnvironment);
        Command = new RootCommand("FleckChat: a small WebSocket chat daemon. Connect with: websocat ws://HOST:PORT/chat")
        {
            _port, _bind, _path, _maxMessageBytes, _logDir, _logLevel, _cert, _key,
        };
    }

    public RootCommand Command { get; }

    public DaemonOptions Read(ParseResult result) => new()
    {
        Port = result.GetValue(_port),
        Bind = result.GetValue(_bind)!,
        Path = result.GetValue(_path)!,
        MaxMessageBytes = result.GetValue(_maxMessageBytes),
        LogDirectory = result.GetValue(_logDir)!,
        LogLevel = result.GetValue(_logLevel),
        CertificatePath = result.GetValue(_cert),
        KeyPath = result.GetValue(_key),
    };

    private static (int, string?) ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
            ? (port, null)
            : (0, $"'{text}' is not a port number (0-65535)");

    private static (IPAddress?, string?) ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? (address, null) : (null, $"'{text}' is not an IP address");

    private static (string?, string?) ParsePath(string text) =>
        text.StartsWith('/') && !text.Contains('?', StringComparison.Ordinal) && !text.Any(char.IsWhiteSpace)
            ? (text, null)
            : (null, $"'{text}' is not a path (it must start with / and have no spaces or query)");

    private static (int, string?) ParseMessageSize(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size is >= 125 and <= 16 * 1024 * 1024
            ? (size, null)
            : (0, $"'{text}' is not a size in bytes between 125 and 16777216");

    private static (string?, string?) ParseDirectory(string text) =>
        text.Length > 0 && text.IndexOfAny(Path.GetInvalidPathChars()) < 0 ? (text, null) : (null, $"'{text}' is not a directory path");

    private static (string?, string?) ParseFile(string text) =>
        text.Length > 0 && text.IndexOfAny(Path.GetInvalidPathChars()) < 0 ? (text, null) : (null, $"'{text}' is not a file path");

    private static (LogEventLevel, string?) ParseLevel(string text) =>
        Enum.TryParse<LogEventLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(text, out _)
            ? (level, null)
            : (default, $"'{text}' is not a log level (Verbose, Debug, Information, Warning, Error, Fatal)");
}
