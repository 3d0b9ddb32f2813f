using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Http;

/// <summary>Plain HTTP on the chat port: the page, 404 and 405, and the headers that go with them.</summary>
[TestClass]
public sealed partial class PlainHttpTests
{
    [TestMethod]
    public async Task GetRoot_ServesPageWithTypeCacheAndPolicy()
    {
        await using var daemon = InProcessDaemon.Start();

        var (status, body, response) = await HttpProbe.GetAsync(daemon.BaseUrl() + "/");
        using (response)
        {
            Assert.AreEqual(200, status);
            Assert.AreEqual("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.AreEqual("no-cache", response.Headers.CacheControl?.ToString());
            Assert.AreEqual("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            string csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
            StringAssert.StartsWith(csp, "default-src 'none';");
            StringAssert.Contains(csp, $"connect-src ws://127.0.0.1:{daemon.Port}/chat ws://127.0.0.1:{daemon.Port}/chat/ ");
            StringAssert.Contains(body, "<meta name=\"fleckchat-path\" content=\"/chat\">");

            // The policy's hashes are those of the page's one inline script and one inline style.
            var script = InlineScript().Match(body);
            var style = InlineStyle().Match(body);
            Assert.IsTrue(script.Success && style.Success);
            StringAssert.Contains(csp, $"script-src 'sha256-{Sha256(script.Groups[1].Value)}';");
            StringAssert.Contains(csp, $"style-src 'sha256-{Sha256(style.Groups[1].Value)}';");
            Assert.HasCount(1, InlineScript().Matches(body));
        }
    }

    [TestMethod]
    public async Task GetRoot_SelfContained_NoExternalReferences()
    {
        await using var daemon = InProcessDaemon.Start();

        var (_, body, response) = await HttpProbe.GetAsync(daemon.BaseUrl() + "/");
        response.Dispose();

        Assert.DoesNotMatchRegex(new Regex(@"(src|href)\s*=", RegexOptions.IgnoreCase), body);
        Assert.DoesNotMatchRegex(new Regex(@"https?://|@import|url\(", RegexOptions.IgnoreCase), body);
        Assert.DoesNotContain("innerHTML", body);
        Assert.DoesNotContain("insertAdjacentHTML", body);
        Assert.DoesNotContain("document.write", body);
    }

    [TestMethod]
    public async Task Head_Root_HeadersWithoutBody()
    {
        await using var daemon = InProcessDaemon.Start();
        await using var raw = await RawClient.ConnectAsync(daemon.Port);

        await raw.SendAsync("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
        var (status, head) = await raw.ReadResponseHeadAsync();

        Assert.AreEqual(200, status);
        StringAssert.Contains(head, "Content-Type: text/html");
        Assert.IsTrue(await raw.WaitForEndOfStreamAsync());
    }

    [TestMethod]
    [DataRow("/nothing")]
    [DataRow("/index.html")]
    [DataRow("/favicon.ico")]
    public async Task Get_OtherPath_404(string path)
    {
        await using var daemon = InProcessDaemon.Start();

        var (status, _, response) = await HttpProbe.GetAsync(daemon.BaseUrl() + path);
        using (response)
        {
            Assert.AreEqual(404, status);
            Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString());
            Assert.AreEqual("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        }
    }

    [TestMethod]
    [DataRow("POST", "/")]
    [DataRow("PUT", "/healthz")]
    [DataRow("DELETE", "/metrics")]
    [DataRow("POST", "/nothing")]
    public async Task NonGet_405WithAllow(string method, string path)
    {
        await using var daemon = InProcessDaemon.Start();

        var (status, _, response) = await HttpProbe.GetAsync(daemon.BaseUrl() + path, new HttpMethod(method));
        using (response)
        {
            Assert.AreEqual(405, status);
            Assert.AreEqual("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));
        }
    }

    [TestMethod]
    public async Task PlainGet_ChatPath_Still426()
    {
        await using var daemon = InProcessDaemon.Start();

        Assert.AreEqual(426, (await HttpProbe.GetAsync(daemon.BaseUrl() + "/chat")).Status);
    }

    [TestMethod]
    public async Task GetRoot_HostHeaderWithInjection_PolicyFallsBackToSelf()
    {
        await using var daemon = InProcessDaemon.Start();
        await using var raw = await RawClient.ConnectAsync(daemon.Port);

        await raw.SendAsync("GET / HTTP/1.1\r\nHost: evil; script-src *\r\n\r\n");
        var (status, head) = await raw.ReadResponseHeadAsync();

        Assert.AreEqual(200, status);
        StringAssert.Contains(head, "connect-src 'self';");
        Assert.DoesNotContain("evil", head);
    }

    private static string Sha256(string text) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex InlineStyle();
}
