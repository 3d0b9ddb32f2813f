using System.Globalization;
using FleckChat.Chat.Events;
using FleckChat.Chat.Names;
using FleckChat.Cluster;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>
/// The chat as one node of a cluster (<c>--redis</c>): what a member sees is the same as on a single
/// daemon, but room events are numbered and kept by Redis (<see cref="RoomLog"/>) and come back to
/// every node, this one included, to be delivered in the room's one order; names are claimed
/// (<see cref="NameClaims"/>) and presence counted (<see cref="RoomPresence"/>) across the cluster;
/// a heartbeat renews this node's leases and announces the leave of members whose node died. Joining,
/// renaming, whispering to another node and asking who is here are round trips: what the member
/// sends meanwhile waits, in order. While Redis is unreachable, members stay and what they send is
/// refused with <see cref="Unavailable"/>. Without <c>--redis</c> none of this runs.
/// </summary>
internal sealed partial class ChatHub
{
    /// <summary>The answer to a chat line while Redis is unreachable.</summary>
    internal const string Unavailable = "chat is unavailable: the cluster store is unreachable; not sent";

    private readonly ClusterNode? _cluster;
    private readonly ITimer? _heartbeat;
    private readonly HashSet<Task> _leaving = [];
    private int _beating;

    /// <summary>Waits (bounded) for the leaves still at Redis, so a stopping node releases its members' names.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        Task[] leaving;
        lock (_leaving)
        {
            leaving = [.. _leaving];
        }

        try
        {
            await Task.WhenAll(leaving).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.Warning("Stopping without waiting for {Count} members' leaves to reach Redis", leaving.Count(t => !t.IsCompleted));
        }
    }

    /// <summary>A whisper another node sent to one of this node's members.</summary>
    internal void WhisperArrived(ReadOnlyMemory<byte> whisper)
    {
        if (RoomEventCodec.DecodeWhisper(whisper.Span) is not { } e)
        {
            _log.Warning("A whisper from another node could not be read; ignored");
            return;
        }

        lock (_gate)
        {
            if (_names.TryGetValue(e.To!, out var to))
            {
                to.Send(e);
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
            if (room.Log is { IsCompletedSuccessfully: true } log)
            {
                await CatchUpAsync(log.Result).ConfigureAwait(false);
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
                    && room.Log is { IsCompletedSuccessfully: true } log)
                {
                    await AppendAsync(log.Result, new ChatEvent { Kind = ChatEventKind.Join, Room = room.Name, Name = name, Timestamp = _time.GetUtcNow() }).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ClusterNode.IsFailure(ex))
            {
                _log.Warning("Claiming {Name} again failed ({Error}); the next heartbeat tries again", name, ex.GetType().Name);
            }
        }
    }

    private string Owner(Member member) => _cluster!.OwnerOf(member.Connection.ConnectionInfo.Id.ToString("N"));

    private void JoinCluster(Member member, string roomName, string? requestedName)
    {
        var cluster = _cluster!;
        if (!cluster.IsUp)
        {
            RefuseJoin(member, "Redis is unreachable");
            return;
        }

        ChatRoom? room;
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomName, out room))
            {
                if (_rooms.Count >= _options.MaxRooms)
                {
                    member.Send(Error("too many rooms exist; try again later or join another"));
                    member.Connection.Close(1013, "too many rooms");
                    _log.Warning("Refused room {Room} for {RemoteEndPoint}: {MaxRooms} rooms exist", roomName, member.Connection.ConnectionInfo.RemoteEndPoint, _options.MaxRooms);
                    return;
                }

                room = _rooms[roomName] = NewRoom(roomName);
            }

            room.Joining++;
            if (room.Log is null || room.Log.IsFaulted || room.Log.IsCanceled)
            {
                room.Log = cluster.OpenRoomAsync(room.Name, new RoomReader(this, room));
            }
        }

        member.BeginWait();
        _ = JoinClusterAsync(member, room, requestedName);
    }

    private async Task JoinClusterAsync(Member member, ChatRoom room, string? requestedName)
    {
        var cluster = _cluster!;
        string owner = Owner(member);
        string? name = null;
        bool joined = false;
        try
        {
            string? problem = requestedName is null ? null : WhyNotAvailableHere(requestedName, member);
            if (requestedName is not null && problem is null)
            {
                if (await cluster.Names.TryClaimAsync(requestedName, owner, room.Name).ConfigureAwait(false))
                {
                    name = requestedName;
                }
                else
                {
                    problem = $"name {requestedName} is taken";
                }
            }

            name ??= await cluster.Names.ClaimGeneratedAsync(owner, room.Name).ConfigureAwait(false);
            await cluster.Presence.AddAsync(room.Name, name).ConfigureAwait(false);
            var present = await cluster.Presence.MembersAsync(room.Name).ConfigureAwait(false);
            var log = await room.Log!.ConfigureAwait(false);
            joined = await log.BetweenEventsAsync(next => EnterAsync(member, room, log, name, problem, present, next)).ConfigureAwait(false);
            if (joined && _options.JoinNotices && AdmitNotice(room, joined: true))
            {
                await AppendAsync(log, new ChatEvent { Kind = ChatEventKind.Join, Room = room.Name, Name = name, Timestamp = _time.GetUtcNow() }).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            if (!joined)
            {
                RefuseJoin(member, ex.GetType().Name);
            }
        }
        finally
        {
            bool roomGone;
            lock (_gate)
            {
                room.Joining--;
                roomGone = RemoveRoomIfEmpty(room);
            }

            if (!joined && name is not null)
            {
                await CleanUpAsync(room.Name, name, owner).ConfigureAwait(false);
            }

            if (roomGone && room.Log is { } roomLog)
            {
                await CloseLogAsync(roomLog).ConfigureAwait(false);
            }

            TakeHeld(member);
        }
    }

    /// <summary>Between two of the room's events: history up to <paramref name="next"/>, then the member is in, for every event from it.</summary>
    private async Task<bool> EnterAsync(Member member, ChatRoom room, RoomLog log, string name, string? problem, IReadOnlyList<string> present, long next)
    {
        var recent = await log.RecentAsync(_options.HistorySize, next).ConfigureAwait(false);
        int count;
        lock (_gate)
        {
            if (member.Gone)
            {
                return false;
            }

            _names[name] = member;
            member.Named(name);
            member.Room = room;
            room.Add(member);
            count = ++_count;
            var now = _time.GetUtcNow();
            member.Send(new ChatEvent
            {
                Kind = ChatEventKind.Welcome, Name = name, Room = room.Name, Text = Greeting(present.Count), Timestamp = now,
                Members = member.Format == Formats.JsonFormat.Instance ? present : null,
            });
            if (problem is not null)
            {
                member.Send(Error($"{problem}; you are {name}"));
            }

            List<ChatEvent> history = [.. recent
                .Select(r => RoomEventCodec.Decode(r.Event, room.Name, r.Offset))
                .OfType<ChatEvent>()
                .Where(e => e.Kind is ChatEventKind.Message or ChatEventKind.Action)];
            if (history.Count > 0)
            {
                member.Send(new ChatEvent { Kind = ChatEventKind.History, Room = room.Name, Events = history, Timestamp = now });
            }
        }

        if (_log.IsEnabled(LogEventLevel.Information) && _presenceLog.Allow())
        {
            var info = member.Connection.ConnectionInfo;
            _log.Information("{Name} joined {Room} from {RemoteEndPoint} ({ConnectionId}); {Count} users connected",
                name, room.Name, info.RemoteEndPoint, info.Id, count);
        }

        return true;
    }

    private void RefuseJoin(Member member, string reason)
    {
        member.Send(Error("chat is unavailable: the cluster store is unreachable; try again later"));
        member.Connection.Close(1013, "cluster store unreachable");
        _log.Debug("Refused {ConnectionId}: {Reason}", member.Connection.ConnectionInfo.Id, reason);
    }

    private void LeaveCluster(Member member)
    {
        ChatRoom room;
        int count;
        bool notice;
        bool roomGone;
        lock (_gate)
        {
            member.Gone = true;
            if (member.Room is not { } joined || !joined.Remove(member))
            {
                return;
            }

            room = joined;
            if (_names.TryGetValue(member.Name, out var holder) && holder == member)
            {
                _names.Remove(member.Name);
            }

            member.Room = null;
            count = --_count;
            notice = _options.JoinNotices && room.Presence.Admit(joined: false);
            roomGone = RemoveRoomIfEmpty(room);
        }

        if (_log.IsEnabled(LogEventLevel.Information) && _presenceLog.Allow())
        {
            LogLeave(member, room.Name, count);
        }

        var leaving = LeaveClusterAsync(member, room, notice, roomGone);
        lock (_leaving)
        {
            if (!leaving.IsCompleted)
            {
                _leaving.Add(leaving);
            }
        }

        _ = leaving.ContinueWith(
            static (t, state) =>
            {
                var leavingSet = (HashSet<Task>)state!;
                lock (leavingSet)
                {
                    leavingSet.Remove(t);
                }
            },
            _leaving, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Releases the name, takes the member out of presence and, if that removal was this node's (not a reaper's), tells the room.</summary>
    private async Task LeaveClusterAsync(Member member, ChatRoom room, bool notice, bool roomGone)
    {
        var cluster = _cluster!;
        try
        {
            await cluster.Names.ReleaseAsync(member.Name, Owner(member)).ConfigureAwait(false);
            bool removed = await cluster.Presence.RemoveAsync(room.Name, member.Name).ConfigureAwait(false);
            if (removed && notice && room.Log is { } log)
            {
                await AppendAsync(await log.ConfigureAwait(false), new ChatEvent
                {
                    Kind = ChatEventKind.Leave, Room = room.Name, Name = member.Name, Text = member.QuitReason, Timestamp = _time.GetUtcNow(),
                }).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            // The name's lease runs out and a heartbeat reaps the presence and tells the room.
            _log.Debug("{Name}'s leave did not reach Redis ({Error}); its lease will run out", member.Name, ex.GetType().Name);
        }
        finally
        {
            if (roomGone && room.Log is { } log)
            {
                await CloseLogAsync(log).ConfigureAwait(false);
            }
        }
    }

    private async Task CloseLogAsync(Task<RoomLog> log)
    {
        try
        {
            await (await log.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Debug("Closing a room's log failed ({Error})", ex.GetType().Name);
        }
    }

    /// <summary>Call under the lock: an empty room (not the lobby, nobody on the way in) is dropped; true when it was.</summary>
    private bool RemoveRoomIfEmpty(ChatRoom room)
    {
        if (room.Count > 0 || room.Joining > 0 || room.Name == DefaultRoom || !_rooms.TryGetValue(room.Name, out var listed) || listed != room)
        {
            return false;
        }

        _rooms.Remove(room.Name);
        room.Presence.Dispose();
        return true;
    }

    private void SayInCluster(Member member, ChatEventKind kind, IReadOnlyList<string> lines)
    {
        if (member.Room is not { } room)
        {
            return;
        }

        if (!_cluster!.IsUp || room.Log is not { IsCompletedSuccessfully: true } log)
        {
            member.Send(Error(Unavailable));
            return;
        }

        var now = _time.GetUtcNow();
        var appends = new Task<long>[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            // Sent in order on one connection, so one member's lines keep their order in the room.
            appends[i] = log.Result.AppendAsync(RoomEventCodec.Encode(new ChatEvent { Kind = kind, Room = room.Name, From = member.Name, Text = lines[i], Timestamp = now }));
        }

        _ = RefuseIfFailedAsync(member, appends);
        if (_log.IsEnabled(LogEventLevel.Verbose))
        {
            _log.Verbose("{Name} said {Text} to {Room}", member.Name, string.Join(" / ", lines), room.Name);
        }
    }

    private async Task RefuseIfFailedAsync(Member member, Task<long>[] appends)
    {
        try
        {
            await Task.WhenAll(appends).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error(Unavailable));
        }
    }

    /// <summary>A join, leave or presence summary of this node's: appended for the room's one order; lost with Redis (it is only a notice).</summary>
    private void AppendNotice(ChatRoom room, ChatEvent notice)
    {
        if (room.Log is { IsCompletedSuccessfully: true } log)
        {
            _ = AppendNoticeAsync(log.Result, notice);
        }
    }

    private async Task AppendNoticeAsync(RoomLog log, ChatEvent notice)
    {
        try
        {
            await AppendAsync(log, notice).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Debug("A {Kind} notice for {Room} did not reach Redis ({Error})", notice.Kind, log.Room, ex.GetType().Name);
        }
    }

    private static Task<long> AppendAsync(RoomLog log, ChatEvent e) => log.AppendAsync(RoomEventCodec.Encode(e));

    private bool AdmitNotice(ChatRoom room, bool joined)
    {
        lock (_gate)
        {
            return room.Presence.Admit(joined);
        }
    }

    private void RenameInCluster(Member member, ChatRoom room, string newName)
    {
        member.BeginWait();
        _ = RenameInClusterAsync(member, room, newName);
    }

    private async Task RenameInClusterAsync(Member member, ChatRoom room, string newName)
    {
        var cluster = _cluster!;
        string owner = Owner(member);
        try
        {
            if (!cluster.IsUp)
            {
                member.Send(Error($"the cluster store is unreachable; you are still {member.Name}"));
                return;
            }

            if (!await cluster.Names.TryClaimAsync(newName, owner, room.Name).ConfigureAwait(false))
            {
                member.Send(Error($"name {newName} is taken; you are still {member.Name}"));
                return;
            }

            string old;
            lock (_gate)
            {
                old = member.Name;
                if (member.Gone || member.Room != room)
                {
                    old = "";
                }
                else
                {
                    _names.Remove(old);
                    _names[newName] = member;
                    member.Named(newName);
                }
            }

            if (old.Length == 0)
            {
                await CleanUpAsync(room.Name, newName, owner).ConfigureAwait(false);
                return;
            }

            await ChangeNameAsync(room, old, newName, owner).ConfigureAwait(false);
            _log.Information("{OldName} is now known as {Name} ({ConnectionId})", old, newName, member.Connection.ConnectionInfo.Id);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error($"the cluster store is unreachable; you are still {member.Name}"));
        }
        finally
        {
            TakeHeld(member);
        }
    }

    /// <summary>After the new name is claimed and taken locally: the old one released (unless only its case changed), presence moved, the room told.</summary>
    private async Task ChangeNameAsync(ChatRoom room, string old, string newName, string owner)
    {
        var cluster = _cluster!;
        if (!string.Equals(old, newName, StringComparison.OrdinalIgnoreCase))
        {
            await cluster.Names.ReleaseAsync(old, owner).ConfigureAwait(false);
        }

        await cluster.Presence.RemoveAsync(room.Name, old).ConfigureAwait(false);
        await cluster.Presence.AddAsync(room.Name, newName).ConfigureAwait(false);
        await AppendAsync(await room.Log!.ConfigureAwait(false), new ChatEvent
        {
            Kind = ChatEventKind.Rename, Room = room.Name, From = old, Name = newName, Timestamp = _time.GetUtcNow(),
        }).ConfigureAwait(false);
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

    /// <summary>Releases a claim and presence that no member uses after all (a join or rename that could not complete).</summary>
    private async Task CleanUpAsync(string room, string name, string owner)
    {
        try
        {
            await _cluster!.Names.ReleaseAsync(name, owner).ConfigureAwait(false);
            await _cluster.Presence.RemoveAsync(room, name).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Debug("Releasing {Name} failed ({Error}); its lease will run out", name, ex.GetType().Name);
        }
    }

    /// <summary>The name rules and this node's own members (the cluster's claims are asked next).</summary>
    private string? WhyNotAvailableHere(string name, Member member)
    {
        lock (_gate)
        {
            return WhyNotAvailable(name, member);
        }
    }

    /// <summary>Called under the lock, for a name no member of this node has.</summary>
    private void WhisperAcrossCluster(Member member, string target, IReadOnlyList<string> lines)
    {
        if (!_cluster!.IsUp)
        {
            member.Send(Error(Unavailable));
            return;
        }

        member.BeginWait();
        _ = WhisperAcrossClusterAsync(member, target, lines);
    }

    private async Task WhisperAcrossClusterAsync(Member member, string target, IReadOnlyList<string> lines)
    {
        var cluster = _cluster!;
        try
        {
            if (await cluster.Names.OwnerAsync(target).ConfigureAwait(false) is not { } claim)
            {
                member.Send(Error($"no one called {target} is connected"));
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var line in lines)
            {
                var whisper = new ChatEvent { Kind = ChatEventKind.Whisper, From = member.Name, To = claim.Name, Text = line, Timestamp = now };
                await cluster.SendWhisperAsync(claim.Owner, RoomEventCodec.EncodeWhisper(whisper)).ConfigureAwait(false);
                member.Send(whisper);
            }

            _log.Verbose("{Name} whispered to {Target} on another node", member.Name, target);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error(Unavailable));
        }
        finally
        {
            TakeHeld(member);
        }
    }

    /// <summary>A question for Redis (/who, /rooms): the member's later input waits for the answer.</summary>
    private void AskCluster(Member member, Func<Member, Task> ask)
    {
        if (!_cluster!.IsUp)
        {
            member.Send(Error("the cluster store is unreachable; try again later"));
            return;
        }

        member.BeginWait();
        _ = AskClusterAsync(member, ask);
    }

    private async Task AskClusterAsync(Member member, Func<Member, Task> ask)
    {
        try
        {
            await ask(member).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error("the cluster store is unreachable; try again later"));
        }
        finally
        {
            TakeHeld(member);
        }
    }

    private async Task WhoInClusterAsync(Member member)
    {
        if (member.Room is { } room)
        {
            var names = await _cluster!.Presence.MembersAsync(room.Name).ConfigureAwait(false);
            member.Send(new ChatEvent { Kind = ChatEventKind.Who, Room = room.Name, Members = names, Timestamp = _time.GetUtcNow() });
        }
    }

    private async Task RoomsInClusterAsync(Member member)
    {
        var rooms = await _cluster!.Presence.RoomsAsync().ConfigureAwait(false);
        member.Send(new ChatEvent { Kind = ChatEventKind.Rooms, Rooms = rooms, Timestamp = _time.GetUtcNow() });
    }

    /// <summary>Ends the member's wait and handles the input held meanwhile, in order, until it waits again.</summary>
    private void TakeHeld(Member member)
    {
        var next = member.EndWait(out int turn);
        while (next is not null)
        {
            Handle(member, next);
            next = member.NextHeld(turn);
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

    private async Task CatchUpAsync(RoomLog log)
    {
        try
        {
            await log.CatchUpAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Warning("Room {Room}: catching up after the outage failed ({Error}); the next event fills the gap", log.Room, ex.GetType().Name);
        }
    }

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
    /// one), expired members of its rooms reaped, each announced as gone by the one node whose reap
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
            if (_options.JoinNotices && AdmitNotice(room, joined: false) && room.Log is { IsCompletedSuccessfully: true } log)
            {
                await AppendAsync(log.Result, new ChatEvent
                {
                    Kind = ChatEventKind.Leave, Room = room.Name, Name = name, Text = "connection lost", Timestamp = _time.GetUtcNow(),
                }).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Delivers one room's events, as Redis numbered them, to this node's members of the room.</summary>
    private sealed class RoomReader(ChatHub hub, ChatRoom room) : IRoomLogReader
    {
        public void Read(string roomName, long offset, ReadOnlyMemory<byte> roomEvent)
        {
            if (RoomEventCodec.Decode(roomEvent.Span, room.Name, offset) is not { } e)
            {
                hub._log.Warning("Room {Room}: event {Offset} could not be read; skipped", room.Name, offset);
                return;
            }

            lock (hub._gate)
            {
                // A newcomer is in the room before its own join comes back: that one it does not get.
                Member? newcomer = e.Kind == ChatEventKind.Join && hub._names.TryGetValue(e.Name!, out var m) && m.Room == room ? m : null;
                room.Deliver(e, newcomer);
            }
        }

        public void Lost(string roomName, long from, long? to)
        {
            string text = to is { } last
                ? string.Create(CultureInfo.InvariantCulture, $"{last - from + 1} earlier messages are missing: the cluster store no longer holds them")
                : "earlier messages may be missing: the cluster store lost them";
            lock (hub._gate)
            {
                room.Deliver(hub.Info(text));
            }
        }
    }
}
