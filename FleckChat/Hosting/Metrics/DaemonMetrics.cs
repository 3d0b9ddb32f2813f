using FleckChat.Chat;
using FleckChat.Cluster;
using FleckChat.Server;

namespace FleckChat.Hosting.Metrics;

/// <summary>What the daemon's /metrics shows: one line per family, each reading an existing counter.</summary>
internal static class DaemonMetrics
{
    /// <param name="cluster">With <c>--redis</c>, the daemon as a cluster node: its families are shown only then.</param>
    public static MetricsRegistry Create(WebSocketServer webSocketServer, ChatHub chat, string version, Func<long> logFailures, ClusterNode? cluster = null)
    {
        var server = webSocketServer.Metrics;
        var registry = new MetricsRegistry()
            .Gauge("fleckchat_build_info", "Always 1; the version label says which FleckChat this is.", "version", () => [(version, 1)])
            .Gauge("fleckchat_connections_open", "WebSocket connections open now.", () => server.ConnectionsOpen)
            .Gauge("fleckchat_sockets_open", "Sockets held now, counted from accept(): open connections and unfinished handshakes.", () => webSocketServer.Slots?.Count ?? 0)
            .Gauge("fleckchat_handshakes_in_progress", "Sockets still in their handshake (TLS included).", () => webSocketServer.Slots?.Handshakes ?? 0)
            .Gauge("fleckchat_client_addresses", "Client addresses the per-address limits keep state for.", () => webSocketServer.Slots?.Addresses ?? 0)
            .Gauge("fleckchat_room_members", "Members of this node in each room now (the cluster's: fleckchat_cluster_members).", "room", () => chat.RoomCounts().Select(r => (r.Room, (double)r.Members)))
            .Counter("fleckchat_connections_accepted_total", "WebSocket connections opened (handshake completed).", () => server.ConnectionsAccepted)
            .Counter("fleckchat_handshake_failures_total", "Connections that did not become a WebSocket, by reason.", "reason",
            () => Enum.GetValues<HandshakeFailure>().Select(kind => (kind.Label(), (double)server.HandshakeFailuresOf(kind))))
            .Counter("fleckchat_messages_received_total", "Messages received from clients.", () => server.MessagesReceived)
            .Counter("fleckchat_messages_delivered_total", "Messages handed to client sockets (one per recipient).", () => server.MessagesSent)
            .Counter("fleckchat_socket_writes_total", "Writes to client sockets; a burst of messages to one client goes out in one write.", () => server.SocketWrites)
            .Counter("fleckchat_received_bytes_total", "Payload bytes of the messages received.", () => server.BytesReceived)
            .Counter("fleckchat_sent_bytes_total", "Payload bytes of the messages delivered.", () => server.BytesSent)
            .Counter("fleckchat_slow_consumer_disconnects_total", "Clients cut off because their outgoing queue was full.", () => server.SlowConsumerDisconnects)
            .Counter("fleckchat_rate_limit_hits_total", "Messages refused by the rate limit.", () => chat.RateLimitHits)
            .Counter("fleckchat_log_failures_total", "Log events that could not be written to the log files.", () => logFailures())
            .AddProcessMetrics()
            .AddRuntimeMetrics();
        return cluster is null ? registry : registry
            .Gauge("fleckchat_redis_up", "1 while Redis (--redis) can be reached, 0 while it cannot.", () => cluster.Link.IsUp ? 1 : 0)
            .Counter("fleckchat_redis_outages_total", "Times Redis became unreachable (a start while it was down counts).", () => cluster.Link.Outages)
            .Gauge("fleckchat_cluster_members", "Members connected to any node of the cluster, as this node last counted them (each heartbeat; -1 before the first).",
                () => cluster.ClusterMembers);
    }
}
