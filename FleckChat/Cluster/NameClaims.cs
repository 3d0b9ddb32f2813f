using System.Globalization;
using StackExchange.Redis;

namespace FleckChat.Cluster;

/// <summary>
/// Member names, unique across the cluster ignoring case. A name is the key <c>fc:name:LOWERCASED</c>
/// (single-key commands only, so each name may live in its own slot of a Redis Cluster), holding
/// <c>OWNER\nNAME\nROOM</c> for a lease: the owning node renews its names' leases on its heartbeat,
/// so the names of a node that died come free when their leases run out.
/// </summary>
internal sealed class NameClaims
{
    /// <summary>How long a claim outlives its node's last renewal unless configured otherwise.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(15);

    // The owner token comes first in the value, ended by a line feed, so each script compares a prefix.
    // KEYS: the name. ARGV: owner, value, lease (ms). Free, or already this owner's (another spelling, another room): set.
    private const string ClaimScript = """
        if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
        local held = redis.call('GET', KEYS[1])
        if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. '\n' then
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1
        end
        return 0
        """;

    // KEYS: the name. ARGV: the previous owner, the new owner, value, lease (ms). 1: taken over from the previous owner; 2: it was free; 0: someone else's.
    private const string TransferScript = """
        local held = redis.call('GET', KEYS[1])
        if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. '\n' then
            redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
            return 1
        end
        if redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PX', ARGV[4]) then return 2 end
        return 0
        """;

    // KEYS: the name. ARGV: owner, lease (ms).
    private const string RenewScript = """
        local held = redis.call('GET', KEYS[1])
        if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. '\n' then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    // KEYS: the name. ARGV: owner.
    private const string ReleaseScript = """
        local held = redis.call('GET', KEYS[1])
        if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. '\n' then
            return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private static readonly RedisKey Counter = "fc:names:next";

    private readonly IDatabase _db;
    private readonly RedisValue _leaseMs;

    public NameClaims(IConnectionMultiplexer redis, TimeSpan lease)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lease, TimeSpan.FromMilliseconds(1));
        _db = redis.GetDatabase();
        _leaseMs = (long)lease.TotalMilliseconds;
    }

    /// <summary>
    /// Claims <paramref name="name"/> for <paramref name="owner"/> in <paramref name="room"/>: true when it was
    /// free or already this owner's (a rename to another spelling, or a move to another room, updates the claim).
    /// </summary>
    public async Task<bool> TryClaimAsync(string name, string owner, string room)
    {
        CheckOwner(owner);
        var result = await _db.ScriptEvaluateAsync(ClaimScript, [Key(name)], [owner, Value(owner, name, room), _leaseMs]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>
    /// A resumed member takes its name back from its previous connection (<paramref name="previous"/>, the
    /// owner a resume token named): taken over if that owner still holds it, claimed if it is free.
    /// </summary>
    public async Task<NameTransfer> TransferAsync(string name, string previous, string owner, string room)
    {
        CheckOwner(previous);
        CheckOwner(owner);
        var result = await _db.ScriptEvaluateAsync(TransferScript, [Key(name)], [previous, owner, Value(owner, name, room), _leaseMs]).ConfigureAwait(false);
        return (NameTransfer)(int)(long)result;
    }

    /// <summary>
    /// The owning node's heartbeat: extends the lease of each name still held by its owner, all in one
    /// pipeline. Returns the names no longer held by the owner given (expired, lost with Redis's data,
    /// or claimed by someone else since), whose members the node must tell.
    /// </summary>
    public async Task<IReadOnlyList<string>> RenewAsync(IReadOnlyCollection<(string Name, string Owner)> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        // Pipelined by sending every renewal before awaiting any. Not an IBatch: a batched EVALSHA answered
        // NOSCRIPT (Redis restarted, or SCRIPT FLUSH) never completed in a test, where unbatched ones are sent again as EVAL.
        var renewals = new List<(string Name, Task<RedisResult> Renewed)>(claims.Count);
        foreach (var (name, owner) in claims)
        {
            CheckOwner(owner);
            renewals.Add((name, _db.ScriptEvaluateAsync(RenewScript, [Key(name)], [owner, _leaseMs])));
        }

        var renewed = await Task.WhenAll(renewals.Select(r => r.Renewed)).ConfigureAwait(false);
        return [.. renewals.Where((r, i) => (long)renewed[i] != 1).Select(r => r.Name)];
    }

    /// <summary>Frees the name if <paramref name="owner"/> holds it; true when it did. Anyone else's claim is left alone.</summary>
    public async Task<bool> ReleaseAsync(string name, string owner)
    {
        CheckOwner(owner);
        var result = await _db.ScriptEvaluateAsync(ReleaseScript, [Key(name)], [owner]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Who holds the name (whichever spelling is asked), or null when nobody does.</summary>
    public async Task<NameClaim?> OwnerAsync(string name)
    {
        string? value = await _db.StringGetAsync(Key(name)).ConfigureAwait(false);
        if (value?.Split('\n') is not [var owner, var spelling, var room])
        {
            return null;
        }

        return new NameClaim(owner, spelling, room);
    }

    /// <summary>
    /// Claims the next generated name (<c>user0</c>, <c>user1</c>, ... from a counter shared by the
    /// cluster, so never handed out twice) for <paramref name="owner"/>, skipping any that is held
    /// already (claimed by hand, or before the counter was lost). Claiming it here, not leaving it to
    /// the caller, leaves no moment in which another could take it between the count and the claim.
    /// </summary>
    public async Task<string> ClaimGeneratedAsync(string owner, string room)
    {
        CheckOwner(owner);
        while (true)
        {
            long next = await _db.StringIncrementAsync(Counter).ConfigureAwait(false);
            string name = "user" + (next - 1).ToString(CultureInfo.InvariantCulture);
            if (await _db.StringSetAsync(Key(name), Value(owner, name, room), TimeSpan.FromMilliseconds((long)_leaseMs), When.NotExists).ConfigureAwait(false))
            {
                return name;
            }
        }
    }

    private static RedisKey Key(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "fc:name:" + name.ToLowerInvariant();
    }

    private static RedisValue Value(string owner, string name, string room) => owner + "\n" + name + "\n" + room;

    /// <summary>The owner token ends at the value's first line feed, so it may not hold one.</summary>
    private static void CheckOwner(string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (owner.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("an owner token may not contain a line feed", nameof(owner));
        }
    }
}
