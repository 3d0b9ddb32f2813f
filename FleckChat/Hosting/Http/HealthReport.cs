namespace FleckChat.Hosting.Http;

/// <summary>The body of GET /healthz: <c>{"status":"ok","version":"0.1.0","uptime_seconds":12.5,"connections":3,"logs":"ok"}</c>.</summary>
internal sealed record HealthReport(string Status, string Version, double UptimeSeconds, long Connections, string Logs);
