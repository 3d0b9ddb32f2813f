using System.Text;

namespace FleckChat.Server.Handshake;

/// <summary>A complete plain-HTTP answer (the connection closes after it), and the common ones.</summary>
internal sealed record HttpResponse(int Status, string ContentType, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    private const string TextPlain = "text/plain; charset=utf-8";
    public const string Json = "application/json; charset=utf-8";

    /// <summary>Dynamic answers (health, metrics, errors) must never come from a cache.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> NoStore =
    [
        new("Cache-Control", "no-store"),
        new("X-Content-Type-Options", "nosniff"),
    ];

    public HttpResponse(int status, string contentType, byte[] body)
        : this(status, contentType, body, [])
    {
    }

    /// <summary>A line of plain text, never cached.</summary>
    private static HttpResponse Text(int status, string text) => new(status, TextPlain, Encoding.UTF8.GetBytes(text + "\n"), NoStore);

    public static HttpResponse NotFound(string path) => Text(404, $"nothing at {path}");

    public static HttpResponse MethodNotAllowed(string method) =>
        new(405, TextPlain, Encoding.UTF8.GetBytes($"method {method} not allowed\n"), [.. NoStore, new("Allow", "GET, HEAD")]);
}
