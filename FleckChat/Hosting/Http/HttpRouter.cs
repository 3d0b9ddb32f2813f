using FleckChat.Server.Handshake;

namespace FleckChat.Hosting.Http;

/// <summary>
/// Answers the plain HTTP requests (no <c>Upgrade: websocket</c>) that reach a listener: the
/// registered paths for GET and HEAD, 405 for any other method, 404 for any other path. A request
/// for a WebSocket endpoint is left to the server (which answers 426), so <c>curl /chat</c> still
/// learns that it has to upgrade. Use as <c>server.HttpHandler = router.Handle</c>.
/// </summary>
internal sealed class HttpRouter
{
    private readonly Dictionary<string, Func<HttpRequest, HttpResponse>> _routes = new(StringComparer.Ordinal);
    private readonly Func<string, bool> _isWebSocketPath;

    public HttpRouter(Func<string, bool> isWebSocketPath)
    {
        _isWebSocketPath = isWebSocketPath;
    }

    public HttpRouter Map(string path, Func<HttpRequest, HttpResponse> handler)
    {
        _routes.Add(path, handler);
        return this;
    }

    public HttpResponse? Handle(HttpRequest request)
    {
        if (_isWebSocketPath(request.Path))
        {
            return null;
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            return HttpResponse.MethodNotAllowed(request.Method);
        }

        return _routes.TryGetValue(request.Path, out var handler) ? handler(request) : HttpResponse.NotFound(request.Path);
    }
}
