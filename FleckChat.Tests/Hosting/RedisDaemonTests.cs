using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary>The daemon as a process with <c>--redis</c>, against a real redis-server the test stops and starts.</summary>
[TestClass]
public sealed partial class RedisDaemonTests
{
    [TestMethod]
    public async Task RedisStoppedThenBack_MembersStay_Healthz503ThenOk_OneOutageCounted()
    {
        await using var redis = await RedisServer.StartAsync();
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await DaemonProcess.StartListeningAsync(logs.Path, "--redis", redis.EndPoint);
        await using (daemon)
        {
            string baseUrl = $"http://127.0.0.1:{port}";
            // The daemon listens first and connects to Redis second.
            await daemon.WaitForLineAsync(ConnectedLine());
            await AssertHealthAsync(baseUrl, 200, "ok", "up");
            var metrics = await HttpProbe.ScrapeAsync(baseUrl);
            Assert.AreEqual(1, metrics["fleckchat_redis_up"]);
            Assert.AreEqual(0, metrics["fleckchat_redis_outages_total"]);
            var (client, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            await using (client)
            {
                await redis.StopAsync();
                await daemon.WaitForLineAsync(UnreachableLine());

                await AssertHealthAsync(baseUrl, 503, "degraded", "unreachable");
                Assert.AreEqual(0, (await HttpProbe.ScrapeAsync(baseUrl))["fleckchat_redis_up"]);
                // The member stays; what it says is refused, not delivered here and lost elsewhere.
                await client.SendTextAsync("still here");
                Assert.AreEqual("! chat is unavailable: the cluster store is unreachable; not sent",
                    await client.ReceiveUntilAsync(line => line.StartsWith('!') || line.EndsWith("still here", StringComparison.Ordinal)));

                await redis.RestartAsync(keepData: true);
                await daemon.WaitForLineAsync(BackLine());

                await AssertHealthAsync(baseUrl, 200, "ok", "up");
                metrics = await HttpProbe.ScrapeAsync(baseUrl);
                Assert.AreEqual(1, metrics["fleckchat_redis_up"]);
                Assert.AreEqual(1, metrics["fleckchat_redis_outages_total"]);
                Assert.HasCount(1, UnreachableLine().Matches(daemon.Output), daemon.Output);
                Assert.HasCount(1, BackLine().Matches(daemon.Output), daemon.Output);
                await client.SendTextAsync("and after");
                await client.ReceiveUntilAsync(line => line.EndsWith("and after", StringComparison.Ordinal));
            }
        }
    }

    [TestMethod]
    public async Task StartedWhileRedisDown_ServesHealthz503_HealthyWhenRedisStarts()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        using var logs = TempFolder.ForCaller();

        var (daemon, port) = await DaemonProcess.StartListeningAsync(logs.Path, "--redis", redis.EndPoint);
        await using (daemon)
        {
            string baseUrl = $"http://127.0.0.1:{port}";
            await daemon.WaitForLineAsync(UnreachableLine());
            await AssertHealthAsync(baseUrl, 503, "degraded", "unreachable");
            // A newcomer cannot be given a name nobody else has: told so and closed with 1013 (try again later).
            var (refused, answer) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            await using (refused)
            {
                Assert.AreEqual("! chat is unavailable: the cluster store is unreachable; try again later", answer);
                Assert.AreEqual((WebSocketCloseStatus)1013, await refused.ReceiveCloseAsync());
            }

            await redis.RestartAsync(keepData: true);
            await daemon.WaitForLineAsync(BackLine());
            var (client, greeting) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            await using (client)
            {
                Assert.AreEqual("You are connected! There are 1 users here.", greeting);
            }

            await AssertHealthAsync(baseUrl, 200, "ok", "up");
            Assert.AreEqual(1, (await HttpProbe.ScrapeAsync(baseUrl))["fleckchat_redis_outages_total"], "a start while it was down counts");
            Assert.IsFalse(daemon.HasExited);
        }
    }

    [TestMethod]
    public async Task StoppedWhileConnecting_OrderlyStopWithoutWaitingForTheConnectTimeout()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        using var logs = TempFolder.ForCaller();
        // A connect timeout far longer than the wait below: the stop cannot be waiting for it.
        var (daemon, _) = await DaemonProcess.StartListeningAsync(logs.Path, "--redis", redis.EndPoint + ",connectTimeout=60000");
        await using (daemon)
        {
            daemon.Signal("TERM");

            Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)), daemon.Output);
            Assert.Contains("Received SIGTERM while starting", daemon.Output);
            Assert.Contains("Stopped", daemon.Output);
        }
    }

    [TestMethod]
    public async Task WithoutRedis_HealthzHasNoRedisField_NoRedisMetrics()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await DaemonProcess.StartListeningAsync(logs.Path);
        await using (daemon)
        {
            string baseUrl = $"http://127.0.0.1:{port}";
            var (status, body, response) = await HttpProbe.GetAsync(baseUrl + "/healthz");
            response.Dispose();

            Assert.AreEqual(200, status);
            CollectionAssert.AreEqual(new[] { "status", "version", "uptime_seconds", "connections", "logs" },
                JsonDocument.Parse(body).RootElement.EnumerateObject().Select(p => p.Name).ToArray(), body);
            var metrics = await HttpProbe.ScrapeAsync(baseUrl);
            Assert.IsFalse(metrics.Keys.Any(k => k.StartsWith("fleckchat_redis", StringComparison.Ordinal)));
        }
    }

    [TestMethod]
    [DataRow("--redis", "127.0.0.1:6379,frobnicate=1")]
    [DataRow("--redis", "password=secret")]
    public async Task MalformedRedis_OneLineError_Exit2(string option, string value)
    {
        var (code, output) = await DaemonProcess.RunAsync(option, value);

        Assert.AreEqual(2, code, output);
        Assert.HasCount(1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), output);
        Assert.StartsWith("fleckchat: --redis: not a Redis configuration string", output);
        Assert.DoesNotContain("secret", output, "the value may hold a password");
    }

    [TestMethod]
    public async Task MalformedRedisFromEnvironment_OneLineNamingTheVariable_Exit2()
    {
        await using var daemon = DaemonProcess.Start([], new Dictionary<string, string> { ["FLECKCHAT_REDIS"] = "ssl=true" });

        int code = await daemon.WaitForExitAsync(Wait.Timeout);

        Assert.AreEqual(2, code, daemon.Output);
        Assert.StartsWith("fleckchat: FLECKCHAT_REDIS: not a Redis configuration string", daemon.Output);
    }

    private static async Task AssertHealthAsync(string baseUrl, int expectedStatus, string expectedState, string expectedRedis)
    {
        var (status, body, response) = await HttpProbe.GetAsync(baseUrl + "/healthz");
        response.Dispose();
        var root = JsonDocument.Parse(body).RootElement;
        Assert.AreEqual(expectedStatus, status, body);
        Assert.AreEqual(expectedState, root.GetProperty("status").GetString(), body);
        Assert.AreEqual(expectedRedis, root.GetProperty("redis").GetString(), body);
    }

    [GeneratedRegex(@"Connected to Redis at ""?127\.0\.0\.1:\d+")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex(@"Redis at ""?127\.0\.0\.1:\d+""? is unreachable: .*; members can stay but cannot chat until it is back")]
    private static partial Regex UnreachableLine();

    [GeneratedRegex(@"Redis at ""?127\.0\.0\.1:\d+""? is back after [\d.]+s")]
    private static partial Regex BackLine();
}
