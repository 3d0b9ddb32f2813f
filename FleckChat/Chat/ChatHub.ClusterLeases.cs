using FleckChat.Chat.Events;
using FleckChat.Cluster;

namespace FleckChat.Chat;

/// <summary>
/// In a cluster, keeping this node's claims alive: the heartbeat renews names and presence every third
/// of the lease, catches each room up with its stream (what pub/sub did not deliver), reaps the members
/// of dead nodes and announces them gone; after an outage, the rooms
/// catch up and the names are claimed again.
/// </summary>
internal sealed partial class ChatHub
{
    private readonly ITimer? _heartbeat;

    private int _beating;

    /// <summary>Renews every lease a third of the way through it.</summary>
    private ITimer? StartHeartbeat()
    {
        if (_cluster is null)
        {
            return null;
        }

        var period = _cluster.Lease / 3;
        return _time.CreateTimer(static s => ((ChatHub)s!).Beat(), this, period, period);
    }

    private void Beat()
    {
        if (Interlocked.Exchange(ref _beating, 1) == 0)
        {
            _ = HeartbeatAsync();
        }
    }

    /// <summary>
    /// This node's members' names and presence renewed (a name lost meanwhile is replaced by a generated
    /// one), its rooms caught up with their streams (an event whose publication this node missed is
    /// handed on now), expired members of its rooms reaped, each announced as gone by the one node whose reap
    /// returned it, and the cluster's member count refreshed for /healthz and /metrics.
    /// </summary>
    private async Task HeartbeatAsync()
    {
        var cluster = _cluster!;
        try
        {
            if (!cluster.IsUp)
            {
                return;
            }

            var (members, rooms) = Snapshot();
            await cluster.Tokens.RenewAsync([.. members.Select(m => m.Member.ResumeId).OfType<string>()]).ConfigureAwait(false);
            var lost = await cluster.Names.RenewAsync([.. members.Select(m => (m.Name, Owner(m.Member)))]).ConfigureAwait(false);
            foreach (var (member, name, room) in members.Where(m => lost.Contains(m.Name)))
            {
                // A lease that ran out (a heartbeat late for long) is claimed again if nobody took the name meanwhile.
                if (!await cluster.Names.TryClaimAsync(name, Owner(member), room.Name).ConfigureAwait(false))
                {
                    await GiveGeneratedNameAsync(member, room, name).ConfigureAwait(false);
                }
            }

            foreach (var room in rooms)
            {
                if (room.OpenLog is { } log)
                {
                    await CatchUpAsync(log).ConfigureAwait(false);
                }

                await cluster.Presence.RenewAsync(room.Name, [.. members.Where(m => m.Room == room).Select(m => m.Member.Name)]).ConfigureAwait(false);
                await ReapAsync(room).ConfigureAwait(false);
            }

            var counts = await cluster.Presence.RoomsAsync().ConfigureAwait(false);
            cluster.ClusterMembers = counts.Sum(c => (long)c.Members);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Debug("A heartbeat did not reach Redis ({Error})", ex.GetType().Name);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "A heartbeat failed");
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    /// <summary>Members whose lease ran out: gone with their node, unless one is this node's own (late renewal), which is added back.</summary>
    private async Task ReapAsync(ChatRoom room)
    {
        var cluster = _cluster!;
        foreach (var name in await cluster.Presence.ReapAsync(room.Name).ConfigureAwait(false))
        {
            bool ours;
            lock (_gate)
            {
                ours = _names.TryGetValue(name, out var member) && member.Room == room;
            }

            if (ours)
            {
                await cluster.Presence.AddAsync(room.Name, name).ConfigureAwait(false);
                continue;
            }

            _log.Information("{Name} left {Room}: its node stopped renewing its lease", name, room.Name);
            if (_options.JoinNotices && AdmitNotice(room, joined: false) && room.OpenLog is { } log)
            {
                await AppendAsync(log, new ChatEvent
                {
                    Kind = ChatEventKind.Leave, Room = room.Name, Name = name, Text = "connection lost", Timestamp = _time.GetUtcNow(),
                }).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// After an outage: every room's gap filled, every member's name claimed and presence added again. A
    /// member whose name was taken meanwhile gets a generated one; one whose presence was reaped meanwhile
    /// (its room told it left) comes back with a join, so the room's story stays whole.
    /// </summary>
    internal async Task RecoverAsync()
    {
        var cluster = _cluster!;
        var (members, rooms) = Snapshot();
        _log.Information("Redis is back: catching up {Rooms} rooms and claiming {Count} names again", rooms.Count, members.Count);
        foreach (var room in rooms)
        {
            if (room.OpenLog is { } log)
            {
                await CatchUpAsync(log).ConfigureAwait(false);
            }
        }

        foreach (var (member, name, room) in members)
        {
            try
            {
                if (!await cluster.Names.TryClaimAsync(name, Owner(member), room.Name).ConfigureAwait(false))
                {
                    await GiveGeneratedNameAsync(member, room, name, rejoin: true).ConfigureAwait(false);
                }
                else if (await cluster.Presence.AddAsync(room.Name, name).ConfigureAwait(false) && _options.JoinNotices
                    && room.OpenLog is { } log)
                {
                    await AppendAsync(log, new ChatEvent { Kind = ChatEventKind.Join, Room = room.Name, Name = name, Timestamp = _time.GetUtcNow() }).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ClusterNode.IsFailure(ex))
            {
                _log.Warning("Claiming {Name} again failed ({Error}); the next heartbeat tries again", name, ex.GetType().Name);
            }
        }
    }

    private async Task CatchUpAsync(RoomLog log)
    {
        try
        {
            await log.CatchUpAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Warning("Room {Room}: catching up with the room's stream failed ({Error}); the next heartbeat tries again", log.Room, ex.GetType().Name);
        }
    }

    private (List<(Member Member, string Name, ChatRoom Room)> Members, List<ChatRoom> Rooms) Snapshot()
    {
        lock (_gate)
        {
            var rooms = _rooms.Values.Where(r => r.Count > 0).ToList();
            return ([.. rooms.SelectMany(r => r.Members.Select(m => (m, m.Name, r)))], rooms);
        }
    }

    /// <summary>
    /// A member whose name was lost (taken while Redis was away, or its lease ran out) is told and renamed
    /// to a generated one: the room sees a rename, or with <paramref name="rejoin"/> (after an outage, when
    /// the room was told the old name left) a join.
    /// </summary>
    private async Task GiveGeneratedNameAsync(Member member, ChatRoom room, string lost, bool rejoin = false)
    {
        var cluster = _cluster!;
        string owner = Owner(member);
        string name = await cluster.Names.ClaimGeneratedAsync(owner, room.Name).ConfigureAwait(false);
        lock (_gate)
        {
            if (member.Gone || member.Name != lost)
            {
                name = "";
            }
            else
            {
                if (_names.TryGetValue(lost, out var holder) && holder == member)
                {
                    _names.Remove(lost);
                }

                _names[name] = member;
                member.Named(name);
            }
        }

        if (name.Length == 0)
        {
            return;
        }

        // The resume token gives the name the member has now, before the member hears of it.
        if (member.ResumeId is { } resumeId)
        {
            await cluster.Tokens.RenameAsync(resumeId, name).ConfigureAwait(false);
        }

        member.Send(Error($"name {lost} went to someone else while this server could not reach the cluster store; you are now {name}"));
        _log.Information("{OldName} lost the name to another node; now {Name} ({ConnectionId})", lost, name, member.Connection.ConnectionInfo.Id);

        // The presence entry under the old name is its new holder's now: left alone.
        await cluster.Presence.AddAsync(room.Name, name).ConfigureAwait(false);
        var log = await room.Log!.ConfigureAwait(false);
        if (!rejoin)
        {
            await AppendAsync(log, new ChatEvent { Kind = ChatEventKind.Rename, Room = room.Name, From = lost, Name = name, Timestamp = _time.GetUtcNow() }).ConfigureAwait(false);
        }
        else if (_options.JoinNotices)
        {
            await AppendAsync(log, new ChatEvent { Kind = ChatEventKind.Join, Room = room.Name, Name = name, Timestamp = _time.GetUtcNow() }).ConfigureAwait(false);
        }
    }
}
