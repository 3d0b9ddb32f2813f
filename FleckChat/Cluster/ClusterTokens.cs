using FleckChat.Chat;
using StackExchange.Redis;

namespace FleckChat.Cluster;

/// <summary>
/// Resume tokens shared by the cluster, so a member can resume on any node: the hash <c>fc:resume:ID</c>
/// holds the secret, the member's owner token, name and room for the token's lifetime, renewed by the owning node's heartbeat
/// while the member is present, so it runs out a lifetime after the member's connection ended (or its
/// node died). Its form: <see cref="Chat.ResumeToken"/>; redeeming deletes it.
/// </summary>
internal sealed class ClusterTokens
{
    // HSET alone would make a token that ran out (or was redeemed) anew, without its secret or a lifetime.
    private const string RenameScript = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'n', ARGV[1]) end";

    private readonly IDatabase _db;
    private readonly TimeSpan _lifetime;

    public ClusterTokens(IConnectionMultiplexer redis, TimeSpan lifetime)
    {
        _db = redis.GetDatabase();
        _lifetime = lifetime;
    }

    public async Task<(string Id, string Token)> IssueAsync(string owner, string name, string room)
    {
        var (id, secret, token) = ResumeToken.New();
        var batch = _db.CreateBatch();
        var set = batch.HashSetAsync(Key(id), [new("s", secret), new("o", owner), new("n", name), new("r", room)]);
        var expire = batch.KeyExpireAsync(Key(id), _lifetime);
        batch.Execute();
        await Task.WhenAll(set, expire).ConfigureAwait(false);
        return (id, token);
    }

    /// <summary>Whose token it is (its member's owner token, name and room), or null; a valid token is used up.</summary>
    public async Task<NameClaim?> RedeemAsync(string token)
    {
        if (!ResumeToken.TrySplit(token, out string id, out string presented))
        {
            return null;
        }

        var fields = (await _db.HashGetAllAsync(Key(id)).ConfigureAwait(false)).ToDictionary(f => (string)f.Name!, f => (string)f.Value!);
        if (!fields.TryGetValue("s", out var secret) || !fields.TryGetValue("o", out var owner) || !fields.TryGetValue("n", out var name)
            || !fields.TryGetValue("r", out var room) || !ResumeToken.Matches(presented, secret))
        {
            return null;
        }

        return await _db.KeyDeleteAsync(Key(id)).ConfigureAwait(false) ? new NameClaim(owner, name, room) : null;
    }

    /// <summary>The member behind a token was renamed: the token gives the new name back (a token already gone stays gone).</summary>
    public Task RenameAsync(string id, string name) => _db.ScriptEvaluateAsync(RenameScript, [Key(id)], [name]);

    /// <summary>The heartbeat: the tokens of members still present live on (plain commands, one batch).</summary>
    public async Task RenewAsync(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var batch = _db.CreateBatch();
        var renewals = ids.Select(id => batch.KeyExpireAsync(Key(id), _lifetime)).ToList();
        batch.Execute();
        await Task.WhenAll(renewals).ConfigureAwait(false);
    }

    private static RedisKey Key(string id) => "fc:resume:" + id;
}
