using System.Net;
using FleckChat.Server;
using FleckChat.Server.Handshake;

namespace FleckChat.Fuzz.Targets;

/// <summary>
/// The bytes a client sends before it is a WebSocket: RequestHeadReader (and through it
/// HttpRequestParser), then HandshakeValidator, the subprotocol negotiation, the response the server
/// would answer with, and the connection's lazily re-parsed headers and cookies.
/// </summary>
internal static class RequestTarget
{
    /// <summary>The daemon's default.</summary>
    private static readonly int DefaultMaxHead = new WebSocketServerOptions().MaxRequestHeadBytes;

    /// <summary>A small limit, so that inputs the fuzzer can reach also exercise the 431 path.</summary>
    private const int SmallMaxHead = 256;

    private static readonly string[] SupportedSubProtocols = ["fleckchat.v1.json"];
    private static readonly string[] AllowedOrigins = ["https://chat.example.org"];
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 40000);

    public static void Run(byte[] input)
    {
        // However the bytes are split into reads, the reader must find the same request head.
        var whole = Read(input, DefaultMaxHead, input.Length + 1);
        var trickled = Read(input, DefaultMaxHead, 1 + (input.Length % 7));
        CheckSame(whole, trickled, "split reads");

        var small = Read(input, SmallMaxHead, 1 + (input.Length % 13));
        if (whole.Request is { } request && request.Head.Length <= SmallMaxHead)
        {
            CheckSame(whole, small, "a smaller head limit");
        }
        else if (whole.Request is not null)
        {
            Check.That(small.Rejection?.Status == 431, "a head over the limit is refused with 431");
        }

        foreach (var head in new[] { whole, trickled, small })
        {
            CheckHead(head, input);
        }

        if (whole.Request is { } accepted)
        {
            CheckRequest(accepted);
        }
        else if (whole.Rejection is { } rejection)
        {
            CheckResponse(HttpResponses.Error(rejection), rejection.Reason.Length);
        }
    }

    private static RequestHead Read(byte[] input, int maxHead, int chunk)
    {
        var reading = RequestHeadReader.ReadAsync(new TrickleStream(input, chunk), maxHead, CancellationToken.None);
        if (!reading.IsCompleted)
        {
            throw new FuzzFinding("the reader waits on a stream that never does");
        }

        return reading.Result;
    }

    private static void CheckSame(RequestHead a, RequestHead b, string how)
    {
        Check.That(a.IsClosed == b.IsClosed, $"{how} change whether the connection looks closed");
        Check.That(a.Request is null == b.Request is null, $"{how} change whether a request is found");
        Check.That(a.Rejection?.Status == b.Rejection?.Status, $"{how} change the rejection");
        if (a.Request is { } ra && b.Request is { } rb)
        {
            Check.That(ra.Head.AsSpan().SequenceEqual(rb.Head), $"{how} change the request head");
        }
    }

    private static void CheckHead(RequestHead head, byte[] input)
    {
        int outcomes = (head.IsClosed ? 1 : 0) + (head.Request is null ? 0 : 1) + (head.Rejection is null ? 0 : 1);
        Check.That(outcomes == 1, "exactly one of closed, request or rejection");
        if (head.Request is { } request)
        {
            // The head, the empty line, and what followed it in the same read: never more than was sent.
            int used = request.Head.Length + 4 + head.Leftover.Length;
            Check.That(used <= input.Length, "the reader returns more bytes than it was sent");
            Check.That(input.AsSpan(request.Head.Length, 4).SequenceEqual("\r\n\r\n"u8), "the head ends at an empty line");
            Check.That(input.AsSpan(request.Head.Length + 4, head.Leftover.Length).SequenceEqual(head.Leftover), "leftover bytes are the ones after the head");
        }
        else
        {
            Check.That(head.Leftover.Length == 0, "no leftover without a request");
        }
    }

    private static void CheckRequest(HttpRequest request)
    {
        Check.That(request.Method.Length > 0 && request.Target.StartsWith('/') && request.Version.StartsWith("HTTP/", StringComparison.Ordinal),
            "a parsed request line has a method, an origin-form target and a version");
        long headerChars = request.Headers.Sum(h => (long)h.Key.Length + h.Value.Length);
        Check.That(headerChars <= request.Head.Length, "headers hold more characters than the head had bytes");
        Check.That(request.Path.Length <= request.Target.Length, "the path is part of the target");
        _ = request.HeaderHasToken("Connection", "Upgrade");

        foreach (var origins in new[] { [], AllowedOrigins })
        {
            var rejection = HandshakeValidator.Validate(request, IsPathServed, origins);
            if (rejection is not null)
            {
                Check.That(rejection.Status is 400 or 403 or 404 or 405 or 426, $"unexpected status {rejection.Status}");
                CheckResponse(HttpResponses.Error(rejection), rejection.Reason.Length);
                continue;
            }

            string key = request.Header("Sec-WebSocket-Key");
            Check.That(HandshakeValidator.IsValidKey(key), "an accepted handshake has a valid key");
            string? subProtocol = SubProtocolNegotiator.Negotiate(SupportedSubProtocols, request.Header("Sec-WebSocket-Protocol"));
            Check.That(subProtocol is null || subProtocol.Length == 0 || SupportedSubProtocols.Contains(subProtocol), "only a supported subprotocol is chosen");
            CheckResponse(HttpResponses.SwitchingProtocols(key, subProtocol ?? ""), subProtocol?.Length ?? 0);
        }

        // A connection keeps only the head and parses it again when asked: that must not fail.
        var info = new ConnectionInfo(request, Remote, "");
        Check.That(info.Headers.Count == request.Headers.Count, "the re-parsed head has the same headers");
        Check.That(info.Cookies.Sum(c => (long)c.Key.Length + c.Value.Length) <= request.Header("Cookie").Length, "cookies are parts of the Cookie header");
        _ = (info.Host, info.Origin, info.SubProtocol);
    }

    /// <summary>A response's head ends at its first empty line: nothing the client sent may add a header or end it early.</summary>
    private static void CheckResponse(byte[] response, int echoedLength)
    {
        int end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        Check.That(end > 0, "a response has a head");
        Check.That(response.Length <= 1024 + (3 * echoedLength), "a response grows only with what it echoes");
        var head = response.AsSpan(0, end);
        int lineEnds = head.Count("\r\n"u8);
        Check.That(head.Count((byte)'\r') == lineEnds && head.Count((byte)'\n') == lineEnds, "a response head has CRLF line ends only");
        Check.That(lineEnds < 12, "a response head has a fixed set of headers");
    }

    private static bool IsPathServed(string path) =>
        path == "/chat" || (path.StartsWith("/chat/", StringComparison.Ordinal) && path.Length <= 64);
}
