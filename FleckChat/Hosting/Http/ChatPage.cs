using System.Net;
using System.Text;
using FleckChat.Server.Handshake;

namespace FleckChat.Hosting.Http;

/// <summary>
/// GET /: the browser chat, one self-contained HTML page put together once at start-up from the
/// resources embedded from FleckChat/Web (index.html with app.css and app.js inlined, and the chat
/// endpoint's path). Nothing is fetched from anywhere else; the CSP pins the inline script and style
/// by hash.
/// </summary>
internal sealed class ChatPage
{
    private const string StyleMarker = "/*{{STYLE}}*/";
    private const string ScriptMarker = "/*{{SCRIPT}}*/";
    private const string PathMarker = "{{CHAT_PATH}}";

    private readonly byte[] _html;
    private readonly string _scriptHash;
    private readonly string _styleHash;
    private readonly string _chatPath;

    public ChatPage(string chatPath)
    {
        _chatPath = chatPath;
        string css = WebResources.Read("app.css");
        string js = WebResources.Read("app.js");
        if (css.Contains("</style", StringComparison.OrdinalIgnoreCase) || js.Contains("</script", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("app.css and app.js must not close their own inline element.");
        }

        string html = WebResources.Read("index.html");
        if (!html.Contains(StyleMarker, StringComparison.Ordinal) || !html.Contains(ScriptMarker, StringComparison.Ordinal) ||
            !html.Contains(PathMarker, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("index.html lacks one of its markers.");
        }

        _html = Encoding.UTF8.GetBytes(html
            .Replace(StyleMarker, css, StringComparison.Ordinal)
            .Replace(ScriptMarker, js, StringComparison.Ordinal)
            .Replace(PathMarker, WebUtility.HtmlEncode(chatPath), StringComparison.Ordinal));
        _scriptHash = ContentSecurityPolicy.Hash(js);
        _styleHash = ContentSecurityPolicy.Hash(css);
    }

    public HttpResponse Handle(HttpRequest request) => new(200, "text/html; charset=utf-8", _html,
    [
        // Revalidate on every load: the page is small and changes with the daemon's version.
        new("Cache-Control", "no-cache"),
        new("Content-Security-Policy", ContentSecurityPolicy.Build(_scriptHash, _styleHash, request.Header("Host"), _chatPath)),
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "no-referrer"),
        new("X-Frame-Options", "DENY"),
    ]);
}
