using System.Text.Json.Serialization;

namespace FleckChat.Hosting.Http;

/// <summary>
/// The body of GET /healthz: <c>{"status":"ok","version":"0.1.0","uptime_seconds":12.5,"connections":3,"logs":"ok"}</c>,
/// and <c>"redis":"up"</c> or <c>"unreachable"</c> with <c>--redis</c> (absent without).
/// </summary>
internal sealed record HealthReport(string Status, string Version, double UptimeSeconds, long Connections, string Logs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Redis = null);
