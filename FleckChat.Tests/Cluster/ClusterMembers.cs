using FleckChat.Hosting;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Cluster;

/// <summary>What the cluster tests do with members and nodes alike.</summary>
internal static class ClusterMembers
{
    public const string Refusal = "! chat is unavailable: the cluster store is unreachable; not sent";

    public const string GapNotice = "* earlier messages may be missing: the cluster store lost them";

    /// <summary>No rate limit: the tests send faster than a person.</summary>
    public static DaemonOptions Unlimited(DaemonOptions options) =>
        options with { Chat = options.Chat with { RateLimit = RateLimit.Off } };

    /// <summary>The same and a lease of two seconds, so a node's death shows soon.</summary>
    public static DaemonOptions ShortLease(DaemonOptions options) => Unlimited(options) with { RedisLease = TimeSpan.FromSeconds(2) };

    public static Uri Named(Uri chat, string name) => new($"{chat}?name={name}");

    /// <summary>
    /// A room's next event numbered and kept as the append script does, but never published (as while a
    /// subscription reconnects: pub/sub delivers at most once); returns its offset.
    /// </summary>
    public static async Task<long> KeptButNotPublishedAsync(RedisServer redis, string room, string roomEvent)
    {
        string offset = await redis.QueryAsync("INCR", $"fc:{{r:{room}}}:offset");
        await redis.QueryAsync("XADD", $"fc:{{r:{room}}}:log", offset + "-0", "e", roomEvent);
        return long.Parse(offset, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The lines a member receives up to and including <paramref name="last"/>.</summary>
    public static Task<List<string>> LinesUntilAsync(ChatClient client, string last) => client.LinesUntilAsync(line => line == last);
}
