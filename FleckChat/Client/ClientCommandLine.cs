using System.CommandLine;
using System.Globalization;
using FleckChat.Hosting;

namespace FleckChat.Client;

/// <summary>
/// <c>fleckchat client [URL] [--name NAME] [--wait SECONDS]</c>: the terminal chat client. Each
/// also settable through a FLECKCHAT_CLIENT_* environment variable (the command line wins). A name
/// may come from <c>?name=</c> in the URL or from <c>--name</c>, not two different ones: a usage error
/// says so rather than one of them silently losing.
/// </summary>
internal sealed class ClientCommandLine
{
    private readonly Argument<Uri> _url;
    private readonly Option<string?> _name;
    private readonly Option<double> _wait;

    public ClientCommandLine(Func<string, string?> getEnvironment)
    {
        var defaults = new ClientOptions();
        _url = OptionBuilder.CreateArgument("URL", "FLECKCHAT_CLIENT_URL", defaults.Url,
            "The chat endpoint to join; /chat/ROOM for a room.", ParseUrl, getEnvironment);
        _name = OptionBuilder.Create("--name", "FLECKCHAT_CLIENT_NAME", defaults.Name,
            "The name to ask for when joining (the same as ?name= in the URL; giving both with different names is an error).", ParseName, getEnvironment);
        _wait = OptionBuilder.Create("--wait", "FLECKCHAT_CLIENT_WAIT", defaults.Wait.TotalSeconds,
            "Seconds to wait at most, after standard input ends, for replies still on their way.", ParseWait, getEnvironment, "seconds");
        Command = new Command("client",
            "Join a chat from the terminal: what you type is sent, what others say is printed. In a pipe, sends each line of " +
            "standard input, prints what arrives, and exits once input has ended and the replies have drained.")
        {
            _url, _name, _wait,
        };
    }

    public Command Command { get; }

    public ClientOptions Read(ParseResult result) => new()
    {
        Url = result.GetValue(_url)!,
        Name = result.GetValue(_name),
        Wait = TimeSpan.FromSeconds(result.GetValue(_wait)),
    };

    /// <summary>
    /// The first argument that looks like an option but is none of the client's: without this, the
    /// URL argument takes it in and the error would be that <c>--bogus</c> is not a URL.
    /// </summary>
    public string? UnknownOption(ParseResult result) =>
        (result.GetResult(_url)?.Tokens.Select(t => t.Value) ?? []).Concat(result.UnmatchedTokens).FirstOrDefault(t => t.StartsWith('-'));

    /// <summary>
    /// A name in the URL's <c>?name=</c> that differs from <c>--name</c> (or its variable): neither
    /// silently wins. Asked once the values have parsed.
    /// </summary>
    public string? NameConflict(ParseResult result)
    {
        if (result.GetValue(_url) is not { } url || ClientOptions.NameIn(url) is not { } inUrl
            || result.GetValue(_name) is not { } name || name == inUrl)
        {
            return null;
        }

        string given = result.GetResult(_name) is { Implicit: false } ? $"--name {name}" : $"FLECKCHAT_CLIENT_NAME={name}";
        return $"{given} and ?name={inUrl} in the URL disagree: give the name once";
    }

    private static (Uri?, string?) ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "ws" or "wss" && uri.Host.Length > 0 && uri.Fragment.Length == 0
            ? (uri, null)
            : (null, $"'{text}' is not a ws:// or wss:// URL (e.g. {ClientOptions.DefaultUrl})");

    private static (string?, string?) ParseName(string text) =>
        text.Length is > 0 and <= 64 && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? (text, null)
            : (null, $"'{text}' is not a name (1 to 64 characters, no spaces)");

    private static (double, string?) ParseWait(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) && seconds <= 3600
            ? (seconds, null)
            : (default, $"'{text}' is not a number of seconds (0 to 3600)");
}
