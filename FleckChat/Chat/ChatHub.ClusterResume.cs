using FleckChat.Cluster;

namespace FleckChat.Chat;

/// <summary>
/// Reconnecting in a cluster: a resume token (shared through Redis, <see cref="ClusterTokens"/>) gives
/// the member its name back on any node. If its previous connection still held the name (it was
/// present, in its grace period or not yet noticed dead) the name is taken over and that connection's
/// node is told to let it go without a leave, so the room sees nothing; otherwise the name is claimed
/// if free and the room sees an ordinary join.
/// </summary>
internal sealed partial class ChatHub
{

    /// <summary>A message on this node's channel: a whisper for one of its members, or word that one resumed elsewhere.</summary>
    internal void NodeMessageArrived(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var resumed = "resumed "u8;
        if (span.StartsWith(resumed))
        {
            string[] parts = System.Text.Encoding.UTF8.GetString(span[resumed.Length..]).Split('\n');
            if (parts is [var previous, var name])
            {
                LetGoResumed(previous, name);
            }

            return;
        }

        WhisperArrived(message);
    }

    /// <summary>
    /// The name a presented token gives back (null when none), whether the member's previous connection
    /// still held it (a seamless resume, if it is also still present in the room), and why not, if not.
    /// </summary>
    private async Task<(string? Name, bool Seamless, string? Problem)> ResumeNameAsync(string token, string owner, ChatRoom room)
    {
        var cluster = _cluster!;
        if (await cluster.Tokens.RedeemAsync(token).ConfigureAwait(false) is not { } previous)
        {
            return (null, false, null);
        }

        switch (await cluster.Names.TransferAsync(previous.Name, previous.Owner, owner, room.Name).ConfigureAwait(false))
        {
            case NameTransfer.TakenOver:
                if (previous.Owner.StartsWith(cluster.Id + "/", StringComparison.Ordinal))
                {
                    LetGoResumed(previous.Owner, previous.Name);
                }
                else
                {
                    await cluster.SendResumedAsync(previous.Owner, previous.Name).ConfigureAwait(false);
                }

                return (previous.Name, string.Equals(previous.Room, room.Name, StringComparison.OrdinalIgnoreCase), null);
            case NameTransfer.Claimed:
                return (previous.Name, false, null);
            default:
                return (null, false, $"name {previous.Name} is taken");
        }
    }

    /// <summary>Call between two events: the room's events after the one a reconnecting member saw, or null (not asked, another epoch, no longer kept).</summary>
    private static async Task<IReadOnlyList<(long Offset, byte[] Event)>?> MissedAsync(RoomLog log, JoinTarget target, string? epoch, long next) =>
        target.Since is { } since && target.Epoch == epoch ? await log.SinceAsync(since, next).ConfigureAwait(false) : null;

    /// <summary>Call under the lock, after the welcome: what a reconnecting member missed, or a gap event when that cannot be given.</summary>
    private static void SendMissed(Member member, ChatRoom room, IReadOnlyList<(long Offset, byte[] Event)>? missed, JoinTarget target, string? epoch,
        DateTimeOffset now)
    {
        if (missed is not null)
        {
            foreach (var e in missed.Select(r => RoomEventCodec.Decode(r.Event, room.Name, r.Offset)).OfType<Events.ChatEvent>())
            {
                member.Send(e);
            }
        }
        else if (target.Since is not null)
        {
            member.Send(Gap(room, sameEpoch: target.Epoch == epoch, now));
        }
    }

    /// <summary>
    /// One of this node's members resumed on another connection: it goes without a leave (its name and
    /// presence are the new connection's now), its grace ends, its connection (if open) is closed with 4000.
    /// </summary>
    private void LetGoResumed(string previous, string name)
    {
        Task<RoomLog>? closing = null;
        lock (_gate)
        {
            // Still this node's under that name: a takeover reaches the old node before its new holder is seated anywhere here.
            if (!_names.TryGetValue(name, out var member) || Owner(member) != previous || member.Room is not { } room || !room.Remove(member))
            {
                return;
            }

            member.Gone = true;
            LetGo(member);
            if (RemoveRoomIfEmpty(room))
            {
                closing = room.Log;
            }
        }

        if (closing is not null)
        {
            _ = CloseLogAsync(closing);
        }
    }
}
