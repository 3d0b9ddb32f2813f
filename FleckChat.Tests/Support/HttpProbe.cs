using System.Net.Sockets;

namespace FleckChat.Tests.Support;

/// <summary>Plain HTTP requests with bounded waits, for the daemon's own endpoints.</summary>
internal static class HttpProbe
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = Wait.Timeout,
    };

    public static async Task<(int Status, string Body, HttpResponseMessage Response)> GetAsync(string url, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        var response = await Client.SendAsync(request).Bounded();
        string body = await response.Content.ReadAsStringAsync().Bounded();
        return ((int)response.StatusCode, body, response);
    }

    /// <summary>GET /metrics, checked as exposition format, as series and values.</summary>
    public static async Task<Dictionary<string, double>> ScrapeAsync(string baseUrl)
    {
        var (status, body, response) = await GetAsync(baseUrl + "/metrics");
        using (response)
        {
            Assert.AreEqual(200, status, body);
            Assert.AreEqual("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            return ExpositionParser.Parse(body);
        }
    }

    /// <summary>True when nothing listens there any more.</summary>
    public static async Task<bool> IsRefusedAsync(int port)
    {
        try
        {
            await using var client = await RawClient.ConnectAsync(port);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}
