using System.Text;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Metrics;

/// <summary>/metrics of the real daemon: valid exposition format whose counters move by exactly the traffic a test makes.</summary>
[TestClass]
public sealed class MetricsEndToEndTests
{
    private static readonly string[] Families =
    [
        "fleckchat_connections_open", "fleckchat_sockets_open", "fleckchat_handshakes_in_progress", "fleckchat_client_addresses",
        "fleckchat_connections_accepted_total", "fleckchat_messages_received_total",
        "fleckchat_messages_delivered_total", "fleckchat_received_bytes_total", "fleckchat_sent_bytes_total",
        "fleckchat_slow_consumer_disconnects_total", "fleckchat_rate_limit_hits_total", "fleckchat_log_failures_total",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
        "fleckchat_handshake_failures_total{reason=\"not_found\"}", "fleckchat_handshake_failures_total{reason=\"upgrade_required\"}",
        "dotnet_gc_collections_total{generation=\"0\"}", "dotnet_gc_heap_bytes", "dotnet_threadpool_threads",
        "dotnet_monitor_lock_contentions_total", "dotnet_jit_methods_total", "dotnet_jit_il_bytes_total",
    ];

    [TestMethod]
    public async Task Scrape_FreshDaemon_EveryFamilyPresentCountersZero()
    {
        await using var daemon = InProcessDaemon.Start();

        var metrics = await HttpProbe.ScrapeAsync(daemon.BaseUrl());

        foreach (var name in Families)
        {
            Assert.IsTrue(metrics.ContainsKey(name), name);
        }

        foreach (var (series, value) in metrics.Where(m => m.Key.StartsWith("fleckchat_", StringComparison.Ordinal) && m.Key.Contains("_total", StringComparison.Ordinal)))
        {
            Assert.AreEqual(0, value, series);
        }

        Assert.IsGreaterThan(0, metrics["process_resident_memory_bytes"]);
        Assert.IsGreaterThan(0, metrics["process_open_fds"]);
        Assert.IsGreaterThan(0, metrics["dotnet_gc_heap_bytes"]);
        Assert.IsGreaterThan(0, metrics["dotnet_jit_methods_total"], "the tests run JIT-compiled");
        Assert.IsGreaterThan(0, metrics["dotnet_jit_il_bytes_total"]);
        Assert.IsLessThanOrEqualTo(metrics["process_max_fds"], metrics["process_open_fds"]);
        double startedAgo = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - metrics["process_start_time_seconds"];
        Assert.IsTrue(startedAgo is > -5 and < 24 * 3600, $"start time {startedAgo} s ago");
    }

    [TestMethod]
    public async Task Counters_ChatTraffic_MoveByExactlyThatTraffic()
    {
        // One message per member per hour: alice's second message is refused by the rate limit.
        var members = new MemberWatch();
        await using var daemon = InProcessDaemon.Start(configure: o => o with { Chat = o.Chat with { RateLimit = RateLimit.PerSeconds(1, 3600) } }, log: members.Wrap());
        var received = new List<string>();
        async Task<string> Next(ChatClient client)
        {
            string text = await client.ReceiveTextAsync();
            received.Add(text);
            return text;
        }

        // Bob connects only once alice has her greeting: a member joins after its handshake, so two
        // clients connecting at once may join in either order.
        var alice = await ChatClient.ConnectAsync(new Uri(daemon.ChatUri() + "?name=alice"));
        string aliceGreeting = await Next(alice);
        var bob = await ChatClient.ConnectAsync(new Uri(daemon.ChatUri() + "?name=bob"));
        await using (alice)
        await using (bob)
        {
            Assert.AreEqual("You are connected! There are 1 users here.", aliceGreeting);
            Assert.AreEqual("You are connected! There are 2 users here.", await Next(bob));
            Assert.AreEqual("* bob joined", await Next(alice));
            var joined = await HttpProbe.ScrapeAsync(daemon.BaseUrl());
            Assert.AreEqual(2, joined["fleckchat_connections_open"]);
            Assert.AreEqual(3, joined["fleckchat_sockets_open"], "the two members and the scrape itself");
            Assert.AreEqual(1, joined["fleckchat_handshakes_in_progress"], "the scrape is a request that has not become a WebSocket");
            Assert.AreEqual(1, joined["fleckchat_client_addresses"], "everyone comes from 127.0.0.1");
            Assert.AreEqual(2, joined["fleckchat_connections_accepted_total"]);
            Assert.AreEqual(2, joined["fleckchat_room_members{room=\"lobby\"}"]);

            await alice.SendTextAsync("hello");
            Assert.AreEqual("[alice]: hello", await Next(alice));
            Assert.AreEqual("[alice]: hello", await Next(bob));
            await bob.SendTextAsync("hi");
            Assert.AreEqual("[bob]: hi", await Next(alice));
            Assert.AreEqual("[bob]: hi", await Next(bob));
            await alice.SendTextAsync("again");
            StringAssert.StartsWith(await Next(alice), "! ");
            await FailHandshakeAsync(daemon.Port, "GET /chat HTTP/1.1\r\nHost: x\r\n\r\n", 426);
            await FailHandshakeAsync(daemon.Port, RawClient.UpgradeRequest("/nope"), 404);

            // The server's close frame leaves after every message before it has been counted as sent.
            await alice.CloseAsync();
            Assert.AreEqual("* alice left", await Next(bob));
            await bob.CloseAsync();
            await members.WaitForCountAsync(0);
        }

        var metrics = await HttpProbe.ScrapeAsync(daemon.BaseUrl());
        static int Utf8(string s) => Encoding.UTF8.GetByteCount(s);
        Assert.AreEqual(0, metrics["fleckchat_connections_open"]);
        Assert.AreEqual(2, metrics["fleckchat_connections_accepted_total"]);
        Assert.AreEqual(3, metrics["fleckchat_messages_received_total"]);
        Assert.AreEqual(Utf8("hello") + Utf8("hi") + Utf8("again"), metrics["fleckchat_received_bytes_total"]);
        Assert.AreEqual(received.Count, metrics["fleckchat_messages_delivered_total"]);
        Assert.AreEqual(received.Sum(Utf8), metrics["fleckchat_sent_bytes_total"]);
        Assert.AreEqual(1, metrics["fleckchat_rate_limit_hits_total"]);
        Assert.AreEqual(1, metrics["fleckchat_handshake_failures_total{reason=\"upgrade_required\"}"]);
        Assert.AreEqual(1, metrics["fleckchat_handshake_failures_total{reason=\"not_found\"}"]);
        Assert.AreEqual(0, metrics["fleckchat_handshake_failures_total{reason=\"bad_request\"}"]);
        Assert.AreEqual(0, metrics["fleckchat_slow_consumer_disconnects_total"]);
        Assert.AreEqual(0, metrics["fleckchat_room_members{room=\"lobby\"}"]);
    }

    [TestMethod]
    public async Task Scrape_PlainHttpRequests_AreNotChatTraffic()
    {
        await using var daemon = InProcessDaemon.Start();

        await HttpProbe.GetAsync(daemon.BaseUrl() + "/");
        await HttpProbe.GetAsync(daemon.BaseUrl() + "/healthz");
        await HttpProbe.GetAsync(daemon.BaseUrl() + "/nothing");
        var metrics = await HttpProbe.ScrapeAsync(daemon.BaseUrl());

        Assert.AreEqual(0, metrics["fleckchat_connections_accepted_total"]);
        Assert.AreEqual(0, metrics.Where(m => m.Key.StartsWith("fleckchat_handshake_failures_total", StringComparison.Ordinal)).Sum(m => m.Value));
    }

    private static async Task FailHandshakeAsync(int port, string request, int expectedStatus)
    {
        await using var raw = await RawClient.ConnectAsync(port);
        await raw.SendAsync(request);
        Assert.AreEqual(expectedStatus, (await raw.ReadResponseHeadAsync()).Status);
    }
}
