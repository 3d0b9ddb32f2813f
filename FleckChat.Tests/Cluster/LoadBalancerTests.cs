using System.Net.WebSockets;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Cluster;

/// <summary>
/// A real HAProxy (round robin, /healthz checked every 200 ms) in front of three daemons sharing
/// one real Redis, as an operator runs a cluster: clients know only the balancer's address.
/// </summary>
[TestClass]
public sealed partial class LoadBalancerTests
{
    private const int NodeCount = 3;

    [TestMethod]
    public async Task ClientsThroughBalancer_SpreadOverNodes_ChatAsOneRoom()
    {
        await using var cluster = await ClusterNodes.StartAsync(NodeCount);
        await using var proxy = await HaProxy.StartAsync(cluster.Ports);
        var clients = new List<ChatClient>();
        try
        {
            // Two rounds of the round robin: every node holds members, and every member has others on other nodes.
            for (int i = 0; i < 2 * NodeCount; i++)
            {
                var (client, greeting) = await ChatClient.JoinAsync(proxy.WebSocketUri());
                clients.Add(client);
                Assert.MatchesRegex(Greeting(), greeting);
            }

            CollectionAssert.AreEqual(Enumerable.Repeat(2, NodeCount).ToArray(), cluster.Nodes.Select(node => node.Connections).ToArray(), proxy.Output);

            for (int i = 0; i < clients.Count; i++)
            {
                await clients[i].SendTextAsync(Text(i));
            }

            // Each member's lines: its own gives its name, the others' must carry theirs.
            var received = await Task.WhenAll(clients.Select(client => ReceiveLinesAsync(client, clients.Count)));
            var names = Enumerable.Range(0, clients.Count).Select(i => received[i][i]).ToArray();
            Assert.AreEqual(clients.Count, names.Distinct().Count(), $"names unique across the cluster: {string.Join(", ", names)}");
            for (int member = 0; member < clients.Count; member++)
            {
                for (int sender = 0; sender < clients.Count; sender++)
                {
                    Assert.AreEqual(names[sender], received[member][sender], $"member {member}'s line from member {sender}");
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [TestMethod]
    public async Task NodeRedisCut_MarkedDown_NewcomersOnOtherNodes_MembersStay_BackAfterRestore()
    {
        await using var cluster = await ClusterNodes.StartAsync(NodeCount, relayed: true);
        await using var proxy = await HaProxy.StartAsync(cluster.Ports);
        var clients = new List<ChatClient>();
        try
        {
            // One round of the round robin: a member on each node.
            for (int i = 0; i < NodeCount; i++)
            {
                clients.Add(await JoinAsync(proxy));
            }

            CollectionAssert.AreEqual(new[] { 1, 1, 1 }, Connections(cluster), proxy.Output);
            var cutNode = cluster.Nodes[0];
            var staying = clients[0];

            cutNode.Relay!.Cut();
            await cutNode.WaitForRedisAsync(up: false);
            await proxy.WaitForBackendAsync(cutNode.Port, "DOWN").Bounded();

            var backends = await proxy.BackendsAsync();
            Assert.AreEqual(new HaProxy.BackendState("DOWN", "L7STS", "503"), backends[cutNode.Port], proxy.Output);
            foreach (var other in cluster.Nodes.Skip(1))
            {
                Assert.AreEqual("UP", backends[other.Port].Status, proxy.Output);
            }

            for (int i = 0; i < 2 * NodeCount; i++)
            {
                clients.Add(await JoinAsync(proxy));
            }

            // The newcomers shared between the two healthy nodes; the cut node kept its member.
            CollectionAssert.AreEqual(new[] { 1, 4, 4 }, Connections(cluster), proxy.Output);
            Assert.AreEqual(WebSocketState.Open, staying.Socket.State);

            cutNode.Relay.Restore();
            await cutNode.WaitForRedisAsync(up: true);
            await proxy.WaitForBackendAsync(cutNode.Port, "UP").Bounded();
            for (int i = 0; i < 2 * NodeCount; i++)
            {
                clients.Add(await JoinAsync(proxy));
            }

            // Back in the round robin (where HAProxy puts a server that comes back is its own affair: two rounds, not one).
            var counts = Connections(cluster);
            Assert.IsGreaterThan(1, counts[0], $"{string.Join(", ", counts)}\n{proxy.Output}");
            Assert.AreEqual(clients.Count, counts.Sum());
            Assert.AreEqual(WebSocketState.Open, staying.Socket.State);
            await staying.SendTextAsync("still here");
            await staying.ReceiveUntilAsync(line => line.EndsWith("]: still here", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static string Text(int member) => $"hello from member {member}";

    private static int[] Connections(ClusterNodes cluster) => [.. cluster.Nodes.Select(node => node.Connections)];

    private static async Task<ChatClient> JoinAsync(HaProxy proxy)
    {
        var (client, greeting) = await ChatClient.JoinAsync(proxy.WebSocketUri());
        Assert.MatchesRegex(Greeting(), greeting);
        return client;
    }

    /// <summary>
    /// Reads until the client has every member's line (<see cref="Text"/>), others (join notices)
    /// skipped, and returns the sender's name for each member's line, by member.
    /// </summary>
    private static async Task<string[]> ReceiveLinesAsync(ChatClient client, int members)
    {
        var names = new string?[members];
        var skipped = new List<string>();
        while (names.Contains(null))
        {
            string line;
            try
            {
                line = await client.ReceiveTextAsync();
            }
            catch (OperationCanceledException)
            {
                throw new AssertFailedException($"no line from members {Missing(names)} within {Wait.Timeout}; other lines: {string.Join(" | ", skipped)}");
            }

            if (ChatLine().Match(line) is { Success: true } match)
            {
                int member = int.Parse(match.Groups["member"].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.IsNull(names[member], $"line from member {member} twice: {line}");
                names[member] = match.Groups["name"].Value;
            }
            else
            {
                skipped.Add(line);
                Assert.IsLessThan(100, skipped.Count, $"lines from members {Missing(names)} missing; got {string.Join(" | ", skipped)}");
            }
        }

        return names!;
    }

    private static string Missing(string?[] names) => string.Join(", ", Enumerable.Range(0, names.Length).Where(i => names[i] is null));

    [GeneratedRegex(@"^You are connected! There are \d+ users here\.$")]
    private static partial Regex Greeting();

    [GeneratedRegex(@"^\[(?<name>user\d+)\]: hello from member (?<member>\d+)$")]
    private static partial Regex ChatLine();
}
