using FleckChat.Chat.Events;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>
/// Reconnecting (docs/protocol.md, "Reconnecting"): a JSON member's welcome carries its room's epoch
/// and a resume token. Coming back with <c>?since=ID&amp;epoch=EPOCH</c> it gets exactly the room's
/// events after ID (or, when those are no longer kept, the usual history and a <c>gap</c> event); with
/// <c>&amp;resume=TOKEN</c> its name, and its place if it is still present. A connection that breaks
/// (no close frame) leaves its member present for <see cref="ChatOptions.ResumeGrace"/>, so a resume
/// within it is seamless: the room sees neither a leave nor a join. In a cluster the tokens and the
/// epoch live in Redis (ChatHub.ClusterResume.cs), so the same works on any node.
/// </summary>
internal sealed partial class ChatHub
{
    private readonly ResumeTokens _tokens;

    /// <summary>Resume tokens held now (members connected, and ended connections within the token lifetime).</summary>
    public int ResumeTokenCount
    {
        get
        {
            lock (_gate)
            {
                return _tokens.Count;
            }
        }
    }

    /// <summary>
    /// Call under the lock. The member whose token was presented gives its place in <paramref name="room"/>
    /// to the newcomer: taken out without a leave, its grace ended, its connection (if still open, a
    /// broken one not yet noticed) closed with 4000. False when it is no longer in that room.
    /// </summary>
    private bool TakeOver(Member previous, ChatRoom room)
    {
        if (previous.Room != room || !room.Remove(previous))
        {
            return false;
        }

        LetGo(previous);
        return true;
    }

    /// <summary>
    /// Call under the lock, once <paramref name="previous"/> is out of its room: it goes without a leave
    /// (its name and place are its new connection's), its grace ends, its connection (if open) is closed with 4000.
    /// </summary>
    private void LetGo(Member previous)
    {
        previous.Room = null;
        previous.Ghost = false;
        previous.GraceTimer?.Dispose();
        if (_names.TryGetValue(previous.Name, out var holder) && holder == previous)
        {
            _names.Remove(previous.Name);
        }

        --_count;
        previous.Connection.Close(4000, "resumed on another connection");
        _log.Debug("{Name} resumed on another connection ({ConnectionId})", previous.Name, previous.Connection.ConnectionInfo.Id);
    }

    /// <summary>
    /// Call under the lock, when a member's connection has ended: a resumable member (it holds a token)
    /// whose connection broke stays present for the grace period. True when it was kept.
    /// </summary>
    private bool KeepForResume(Member member)
    {
        if (member.Ghost || member.ResumeId is null || _options.ResumeGrace <= TimeSpan.Zero || member.Connection.Statistics.CloseCode is not null)
        {
            return false;
        }

        member.Ghost = true;
        _tokens.Ended(member);
        member.GraceTimer = _time.CreateTimer(_ => GraceOver(member), null, _options.ResumeGrace, Timeout.InfiniteTimeSpan);
        if (_log.IsEnabled(LogEventLevel.Information) && _presenceLog.Allow())
        {
            _log.Information("{Name} lost its connection ({ConnectionId}); present for {GraceSeconds}s in case it resumes",
                member.Name, member.Connection.ConnectionInfo.Id, _options.ResumeGrace.TotalSeconds);
        }

        return true;
    }

    /// <summary>The grace period is over and the member did not come back: it leaves, and the room is told.</summary>
    private void GraceOver(Member member)
    {
        bool leave;
        string? roomName = null;
        int count = 0;
        lock (_gate)
        {
            member.GraceTimer?.Dispose();
            leave = member.Ghost && member.Room is not null;
            member.Ghost = false;
            if (leave && _cluster is null && member.Room is { } room && Depart(member, room) is { } left)
            {
                (roomName, count) = (room.Name, left);
            }
        }

        if (leave && _cluster is not null)
        {
            LeaveCluster(member);
        }

        LogLeave(member, roomName, count);
    }

    /// <summary>Call under the lock, after the welcome: what the newcomer missed, or the usual history.</summary>
    private static void CatchUp(Member member, ChatRoom room, JoinTarget target, DateTimeOffset now)
    {
        if (target.Since is { } since)
        {
            if (target.Epoch == room.Epoch && room.Since(since) is { } missed)
            {
                foreach (var e in missed)
                {
                    member.Send(e);
                }

                return;
            }

            member.Send(Gap(room, sameEpoch: target.Epoch == room.Epoch, now));
        }

        if (room.History(now) is { } history)
        {
            member.Send(history);
        }
    }

    /// <summary>What a reconnecting member is told when it cannot be given exactly what it missed.</summary>
    private static ChatEvent Gap(ChatRoom room, bool sameEpoch, DateTimeOffset now) => new()
    {
        Kind = ChatEventKind.Gap, Room = room.Name, Timestamp = now,
        Text = sameEpoch ? "messages may have been missed: the room no longer keeps them all" : "messages may have been missed: the room started again",
    };
}
