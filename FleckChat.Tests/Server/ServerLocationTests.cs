using System.Net;
using FleckChat.Server;

namespace FleckChat.Tests.Server;

[TestClass]
public sealed class ServerLocationTests
{
    [TestMethod]
    public void Parse_AnyIPv4WithPath()
    {
        var location = ServerLocation.Parse("ws://0.0.0.0:8080/chat");

        Assert.AreEqual(IPAddress.Any, location.Address);
        Assert.AreEqual(8080, location.Port);
        Assert.AreEqual("/chat", location.Path);
        Assert.IsFalse(location.IsSecure);
    }

    [TestMethod]
    public void Parse_AnyIPv6()
    {
        var location = ServerLocation.Parse("ws://[::]:8181");

        Assert.AreEqual(IPAddress.IPv6Any, location.Address);
        Assert.AreEqual("ws://[::]:8181", location.ToString());
    }

    [TestMethod]
    public void Parse_SecureDefaultPort()
    {
        var location = ServerLocation.Parse("wss://127.0.0.1");

        Assert.IsTrue(location.IsSecure);
        Assert.AreEqual(443, location.Port);
    }

    [TestMethod]
    [DataRow("http://0.0.0.0:80")]
    [DataRow("ws://example.com:80")]
    [DataRow("nonsense")]
    public void Parse_NotAnIPLocation_Throws(string location) =>
        Assert.ThrowsExactly<FormatException>(() => ServerLocation.Parse(location));

    [TestMethod]
    public async Task Start_DualStackAny_AcceptsIPv4()
    {
        await using var server = new WebSocketServer("ws://[::]:0/chat");
        server.Start(_ => { });

        await using var client = await FleckChat.Tests.Support.RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();
    }
}
