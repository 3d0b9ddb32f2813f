using System.Text.Json.Serialization;

namespace FleckChat.Hosting.Http;

/// <summary>
/// The body of GET /healthz: <c>{"status":"ok","version":"0.1.0","uptime_seconds":12.5,"connections":3,"logs":"ok"}</c>,
/// and with <c>--redis</c> (absent without) <c>"redis":"up"</c> or <c>"unreachable"</c>, and
/// <c>"cluster_members"</c>: members on every node, as this node last counted them (every third of a lease).
/// <c>connections</c> is always this node's own.
/// </summary>
internal sealed record HealthReport(string Status, string Version, double UptimeSeconds, long Connections, string Logs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Redis = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ClusterMembers = null);
