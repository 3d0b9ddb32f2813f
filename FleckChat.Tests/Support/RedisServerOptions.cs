namespace FleckChat.Tests.Support;

/// <summary>How a <see cref="RedisServer"/> runs.</summary>
/// <param name="Persistent">
/// An append-only file fsynced on every write, so a restart with its data keeps every write the
/// server acknowledged, even after a kill. Off: nothing is written to disk.
/// </param>
/// <param name="ClusterNode">A Redis Cluster node (<see cref="RedisCluster"/>), which also binds its port + 10000.</param>
/// <param name="FirstPort">A port to try before the random candidates (tests of the retry on a port in use).</param>
internal sealed record RedisServerOptions(bool Persistent = false, bool ClusterNode = false, int? FirstPort = null);
