using System.Text;
using FleckChat.Server.Handshake;

namespace FleckChat.Tests.Server;

[TestClass]
public sealed class HttpRequestParserTests
{
    private static HttpRequest Parse(string head)
    {
        Assert.IsTrue(HttpRequestParser.TryParse(Encoding.Latin1.GetBytes(head), out var request, out var error), error);
        return request!;
    }

    private static string Error(string head)
    {
        Assert.IsFalse(HttpRequestParser.TryParse(Encoding.Latin1.GetBytes(head), out _, out var error));
        return error;
    }

    [TestMethod]
    public void TryParse_RequestLineAndHeaders_Parsed()
    {
        var request = Parse("GET /chat?name=alice HTTP/1.1\r\nHost: example\r\nX-A:  spaced  ");

        Assert.AreEqual("GET", request.Method);
        Assert.AreEqual("/chat?name=alice", request.Target);
        Assert.AreEqual("/chat", request.Path);
        Assert.AreEqual("example", request.Header("host"));
        Assert.AreEqual("spaced", request.Header("X-A"));
    }

    [TestMethod]
    public void TryParse_RepeatedListHeader_Joined()
    {
        var request = Parse("GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: Upgrade");

        Assert.AreEqual("keep-alive, Upgrade", request.Header("Connection"));
        Assert.IsTrue(request.HeaderHasToken("connection", "upgrade"));
    }

    [TestMethod]
    public void TryParse_ThousandsOfRepeatedHeaders_AllocatesLinearly()
    {
        // Found by fuzz/ (request harness): every repeat used to copy the joined value so far, so a
        // 16 KiB head of "a:" lines made about 30 MB of strings. Now it is a few times the head's size.
        var head = Encoding.ASCII.GetBytes("GET /chat HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("a: b\r\n", 3000)) + "Host: h");
        Assert.IsTrue(HttpRequestParser.TryParse(head, out _, out _));

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.IsTrue(HttpRequestParser.TryParse(head, out var request, out var error), error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.AreEqual(3000, request!.Header("a").Split(", ").Length);
        Assert.IsLessThan(20L * head.Length, allocated, $"{allocated} bytes allocated for a {head.Length}-byte head");
    }

    [TestMethod]
    public void TryParse_RepeatedHost_Rejected() =>
        Assert.Contains("Host", Error("GET / HTTP/1.1\r\nHost: a\r\nHost: b"));

    [TestMethod]
    public void TryParse_LineFolding_Rejected() =>
        Assert.Contains("folding", Error("GET / HTTP/1.1\r\nX-A: a\r\n b"));

    [TestMethod]
    public void TryParse_SpaceBeforeColon_Rejected() =>
        Assert.Contains("header name", Error("GET / HTTP/1.1\r\nHost : a"));

    [TestMethod]
    public void TryParse_AbsoluteTarget_Rejected() =>
        Assert.Contains("target", Error("GET http://x/chat HTTP/1.1\r\nHost: a"));

    [TestMethod]
    public void TryParse_BadVersion_Rejected() =>
        Assert.Contains("version", Error("GET / HTTP/one\r\nHost: a"));

    [TestMethod]
    public void TryParse_ControlCharacterInValue_Rejected() =>
        Assert.Contains("control", Error("GET / HTTP/1.1\r\nX-A: a\u0001b"));
}
