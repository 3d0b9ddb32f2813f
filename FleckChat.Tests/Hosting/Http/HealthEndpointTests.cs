using System.Net.WebSockets;
using System.Text.Json;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Http;

[TestClass]
public sealed class HealthEndpointTests
{
    [TestMethod]
    public async Task Healthz_Serving_200WithStatusVersionUptimeConnections()
    {
        await using var daemon = InProcessDaemon.Start();
        var (client, _) = await ChatClient.JoinAsync(daemon.ChatUri());
        await using (client)
        {
            var (status, body, response) = await HttpProbe.GetAsync(daemon.BaseUrl() + "/healthz");
            using (response)
            {
                Assert.AreEqual(200, status);
                Assert.AreEqual("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
                Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString());
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                Assert.AreEqual("ok", root.GetProperty("status").GetString());
                Assert.AreEqual(FleckChat.Hosting.ChatDaemon.Version, root.GetProperty("version").GetString());
                Assert.IsGreaterThanOrEqualTo(0, root.GetProperty("uptime_seconds").GetDouble());
                Assert.AreEqual(1, root.GetProperty("connections").GetInt64());
                Assert.AreEqual("ok", root.GetProperty("logs").GetString());
            }
        }
    }

    [TestMethod]
    public async Task Healthz_DuringShutdown_503UntilMembersAreClosed_ThenListenerGone()
    {
        // Members get all the time they need to answer the close, so the shutdown lasts until this
        // test's client answers: the 503 is seen while it is certainly in progress.
        var daemon = InProcessDaemon.Start(separateMetrics: true, tune: o => o with { CloseTimeout = Wait.Timeout });
        await using (daemon)
        {
            int metricsPort = daemon.Http.MetricsPort!.Value;
            Assert.AreEqual(200, (await HttpProbe.GetAsync(daemon.MetricsUrl() + "/healthz")).Status);
            var (client, _) = await ChatClient.JoinAsync(daemon.ChatUri());
            await using (client)
            {
                var stopping = daemon.StopAsync(Wait.Timeout);
                var (type, _) = await client.ReceiveAsync();
                Assert.AreEqual(WebSocketMessageType.Close, type);

                var (status, body, response) = await HttpProbe.GetAsync(daemon.MetricsUrl() + "/healthz");
                response.Dispose();
                Assert.AreEqual(503, status);
                Assert.AreEqual("stopping", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
                Assert.IsFalse(stopping.IsCompleted);

                await client.Socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "", CancellationToken.None).WaitAsync(Wait.Timeout);
                await stopping.Bounded();
            }

            Assert.IsTrue(await HttpProbe.IsRefusedAsync(metricsPort));
        }
    }

    [TestMethod]
    public async Task MetricsBind_HealthAndMetricsOnlyThere_PageStaysOnChatPort()
    {
        await using var daemon = InProcessDaemon.Start(separateMetrics: true);

        Assert.AreEqual(200, (await HttpProbe.GetAsync(daemon.MetricsUrl() + "/healthz")).Status);
        Assert.AreEqual(200, (await HttpProbe.GetAsync(daemon.MetricsUrl() + "/metrics")).Status);
        Assert.AreEqual(404, (await HttpProbe.GetAsync(daemon.MetricsUrl() + "/")).Status);
        Assert.AreEqual(404, (await HttpProbe.GetAsync(daemon.BaseUrl() + "/healthz")).Status);
        Assert.AreEqual(404, (await HttpProbe.GetAsync(daemon.BaseUrl() + "/metrics")).Status);
        Assert.AreEqual(200, (await HttpProbe.GetAsync(daemon.BaseUrl() + "/")).Status);
    }

    [TestMethod]
    public async Task MetricsBind_WebSocketUpgrade_404()
    {
        await using var daemon = InProcessDaemon.Start(separateMetrics: true);
        await using var raw = await RawClient.ConnectAsync(daemon.Http.MetricsPort!.Value);

        await raw.SendAsync(RawClient.UpgradeRequest("/chat"));

        Assert.AreEqual(404, (await raw.ReadResponseHeadAsync()).Status);
    }
}
