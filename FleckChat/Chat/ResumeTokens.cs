using System.Security.Cryptography;
using System.Text;

namespace FleckChat.Chat;

/// <summary>
/// The resume tokens of one daemon: each member gets one in its JSON welcome; presented again with a
/// reconnect (<c>?resume=TOKEN</c>) it gives the member's name back, within the token's lifetime after
/// the connection ended. A token is <c>ID.SECRET</c>: the id finds it, the secret (128 random bits) is
/// compared in constant time, so neither a lookup nor a comparison tells an attacker how close a guess
/// was. A token works once: resuming replaces it with a new one. Not thread-safe: the hub calls it
/// under its lock. Bounded: tokens of ended connections are forgotten when their lifetime is over,
/// and the oldest first when more than <see cref="MaxEnded"/> wait.
/// </summary>
internal sealed class ResumeTokens(TimeProvider time, TimeSpan lifetime)
{
    /// <summary>Ended connections whose tokens are kept at most; beyond, the oldest are forgotten early.</summary>
    public const int MaxEnded = 100_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset Ended)> _ended = new();

    /// <summary>Tokens held: members connected now and ended connections within the lifetime.</summary>
    public int Count => _entries.Count;

    /// <summary>A new token for <paramref name="member"/>.</summary>
    public string Issue(Member member)
    {
        Forget();
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        byte[] secret = RandomNumberGenerator.GetBytes(16);
        _entries[id] = new Entry(secret, member);
        member.ResumeId = id;
        return id + "." + Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The member a valid token was issued to (connected, present in its grace period, or gone), or null; the token is used up.</summary>
    public Member? Redeem(string token)
    {
        Forget();
        int dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !_entries.TryGetValue(token[..dot], out var entry))
        {
            return null;
        }

        byte[] presented = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        byte[] expected = Encoding.ASCII.GetBytes(Convert.ToBase64String(entry.Secret).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return null;
        }

        _entries.Remove(token[..dot]);
        return entry.Member;
    }

    /// <summary>The member's connection has ended: its token lives on for the lifetime from now.</summary>
    public void Ended(Member member)
    {
        if (member.ResumeId is { } id && _entries.ContainsKey(id))
        {
            _ended.Enqueue((id, time.GetUtcNow()));
            Forget();
        }
    }

    private void Forget()
    {
        var now = time.GetUtcNow();
        while (_ended.TryPeek(out var oldest) && (now - oldest.Ended >= lifetime || _ended.Count > MaxEnded))
        {
            _ended.Dequeue();
            _entries.Remove(oldest.Id);
        }
    }

    private sealed record Entry(byte[] Secret, Member Member);
}
