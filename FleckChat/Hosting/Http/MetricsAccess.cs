using System.Net;

namespace FleckChat.Hosting.Http;

/// <summary>
/// Who may read /metrics. On the chat port, which faces the world, only clients on this host
/// (127.0.0.1, ::1) unless <c>--metrics-public on</c>: the figures (rooms, members, traffic) are an
/// operator's, not a visitor's. On the <c>--metrics-bind</c> listener anyone who can reach it: its
/// address is the operator's choice. Others are told 404, as if nothing were there, the same answer
/// the chat port gives when /metrics has moved to its own listener.
/// </summary>
internal static class MetricsAccess
{
    public static bool Allows(DaemonOptions options, IPAddress? client) =>
        options.MetricsBind is not null || options.MetricsPublic || (client is not null && IPAddress.IsLoopback(client));
}
