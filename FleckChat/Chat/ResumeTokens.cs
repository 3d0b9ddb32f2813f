namespace FleckChat.Chat;

/// <summary>
/// The resume tokens of one daemon: each member gets one in its JSON welcome; presented again with a
/// reconnect (<c>?resume=TOKEN</c>) it gives the member's name back, within the token's lifetime after
/// the connection ended (its form: <see cref="ResumeToken"/>). A token works once: resuming replaces it with a new one. Not thread-safe: the hub calls it
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
        var (id, secret, token) = ResumeToken.New();
        _entries[id] = new Entry(secret, member);
        member.ResumeId = id;
        return token;
    }

    /// <summary>The member a valid token was issued to (connected, present in its grace period, or gone), or null; the token is used up.</summary>
    public Member? Redeem(string token)
    {
        Forget();
        if (!ResumeToken.TrySplit(token, out string id, out string secret) || !_entries.TryGetValue(id, out var entry) || !ResumeToken.Matches(secret, entry.Secret))
        {
            return null;
        }

        _entries.Remove(id);
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

    private sealed record Entry(string Secret, Member Member);
}
