using System.Net;
using FleckChat.Limits;
using FleckChat.Server;
using FleckChat.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FleckChat.Tests.Server;

/// <summary>Limits that apply from accept(), before a byte of the request is read, over real sockets.</summary>
[TestClass]
public sealed class AcceptLimitsTests
{
    [TestMethod]
    public async Task SilentSockets_OverHandshakesPerIp_OldestResetNewcomerServed()
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { MaxHandshakesPerIp = 2, HandshakeTimeout = TimeSpan.FromMinutes(5) });
        await using var oldest = await RawClient.ConnectAsync(server.Port);
        await using var younger = await RawClient.ConnectAsync(server.Port);
        var oldestEnded = oldest.WaitForEndOfStreamAsync();

        await using var newcomer = await ChatClient.ConnectAsync(server.Uri);

        Assert.IsTrue(await oldestEnded.Bounded(), "the oldest silent socket gives its place up");
        Assert.AreEqual(1, server.Server.Metrics.HandshakeFailuresOf(HandshakeFailure.Shed), "counted when shed");
    }

    [TestMethod]
    public async Task SilentSockets_CountTowardsPerIpCap_FromAccept()
    {
        // Three sockets that never send a byte hold the address's three places; an open member keeps
        // its own, and a fourth socket takes the place of the oldest silent one.
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { MaxConnectionsPerIp = 3, HandshakeTimeout = TimeSpan.FromMinutes(5) });
        await using var member = await ChatClient.ConnectAsync(server.Uri);
        await using var silent1 = await RawClient.ConnectAsync(server.Port);
        await using var silent2 = await RawClient.ConnectAsync(server.Port);
        var firstEnded = silent1.WaitForEndOfStreamAsync();

        await using var another = await ChatClient.ConnectAsync(server.Uri);

        Assert.IsTrue(await firstEnded.Bounded());
        Assert.AreEqual(3, server.Server.Slots!.Count);
    }

    [TestMethod]
    public async Task ConnectRate_OverBurst_Gets503WithRetryAfter_OtherAddressServed()
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { ConnectRatePerIp = new RateLimit(3, TimeSpan.FromMinutes(1)) });
        for (int i = 0; i < 3; i++)
        {
            await using var client = await ChatClient.ConnectAsync(server.Uri);
        }

        await using var fourth = await RawClient.ConnectAsync(server.Port);
        await fourth.SendAsync(RawClient.UpgradeRequest());
        var (status, head) = await fourth.ReadResponseHeadAsync();

        Assert.AreEqual(503, status);
        var retryAfter = System.Text.RegularExpressions.Regex.Match(head, @"Retry-After: (\d+)");
        Assert.IsTrue(retryAfter.Success, head);
        Assert.IsTrue(int.Parse(retryAfter.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is >= 1 and <= 20, head);
        await using var other = await RawClient.ConnectAsync(server.Port, from: IPAddress.Parse("127.0.0.2"));
        await other.HandshakeAsync();
    }

    [TestMethod]
    public async Task HandshakeTimeout_TenSeconds_GoneWithinTenAndAHalf()
    {
        var time = new FakeTimeProvider();
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) }, s => s.Time = time);
        await using var slow = await RawClient.ConnectAsync(server.Port);
        await slow.SendAsync("GET /chat HTTP/1.1\r\nHost: x\r\n");

        // Accepting is in order: once a later request has its answer, the slow socket has been counted.
        await using (var later = await RawClient.ConnectAsync(server.Port))
        {
            await later.SendAsync("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.AreEqual(404, (await later.ReadResponseHeadAsync()).Status);
        }

        var ended = slow.WaitForEndOfStreamAsync();
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.IsFalse(ended.IsCompleted, "still within its 10 s");
        time.Advance(TimeSpan.FromSeconds(0.6));
        Assert.IsTrue(await ended.Bounded());
    }
}
