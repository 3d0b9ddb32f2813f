using System.Globalization;
using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
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

    /// <summary>A member's input beyond what may wait while its join, rename or question is at Redis.</summary>
    internal static readonly string Busy = string.Create(CultureInfo.InvariantCulture,
        $"busy: {HeldInput.MaxHeld} messages already wait for the cluster store; more are dropped until they are sent");

    private readonly ClusterNode? _cluster;

    private readonly HashSet<Task> _leaving = [];

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

    private string Owner(Member member) => _cluster!.OwnerOf(member.Connection.ConnectionInfo.Id.ToString("N"));

    private void JoinCluster(Member member, string roomName, JoinTarget target)
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
            if ((room = RoomFor(member, roomName)) is null)
            {
                return;
            }

            room.Joining++;
            if (room.Log is null || room.Log.IsFaulted || room.Log.IsCanceled)
            {
                room.Log = cluster.OpenRoomAsync(room.Name, new RoomReader(this, room));
            }
        }

        member.Held!.BeginWait();
        _ = JoinClusterAsync(member, room, target);
    }

    private async Task JoinClusterAsync(Member member, ChatRoom room, JoinTarget target)
    {
        var cluster = _cluster!;
        string owner = Owner(member);
        string? name = null;
        bool joined = false;
        try
        {
            var (resumed, seamless, problem) = target.Resume is { } presented ? await ResumeNameAsync(presented, owner, room) : (null, false, null);
            name = resumed;
            string? requestedName = resumed is null && problem is null ? target.Name : null;
            problem ??= requestedName is null ? null : WhyNotAvailableHere(requestedName, member);
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
            bool added = await cluster.Presence.AddAsync(room.Name, name).ConfigureAwait(false);
            seamless &= !added; // still present under that name: its room saw no leave, and sees no join
            string? token = null;
            if (member.Format == JsonFormat.Instance)
            {
                (member.ResumeId, token) = await cluster.Tokens.IssueAsync(owner, name, room.Name).ConfigureAwait(false);
            }

            // Only the JSON welcome lists the members; a text greeting needs their count alone (ZCOUNT, not the whole room sorted).
            var present = member.Format == JsonFormat.Instance ? await cluster.Presence.MembersAsync(room.Name).ConfigureAwait(false) : null;
            int count = present?.Count ?? await cluster.Presence.CountAsync(room.Name).ConfigureAwait(false);
            var log = await room.Log!.ConfigureAwait(false);
            room.OpenLog = log;
            joined = await log.BetweenEventsAsync(next => EnterAsync(member, room, log, name, problem, (count, present), target with { Resume = token }, next)).ConfigureAwait(false);
            if (joined && !seamless && _options.JoinNotices && AdmitNotice(room, joined: true))
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
        catch (Exception ex)
        {
            _log.Error(ex, "Joining {ConnectionId} to the cluster failed", member.Connection.ConnectionInfo.Id);
            member.Connection.Close(1011, "server error");
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

    /// <summary>
    /// Between two of the room's events: history up to <paramref name="next"/> (or, for a reconnecting
    /// member, the events after the one it saw last), then the member is in, for every event from it.
    /// </summary>
    private async Task<bool> EnterAsync(Member member, ChatRoom room, RoomLog log, string name, string? problem,
        (int Count, IReadOnlyList<string>? Names) present, JoinTarget target, long next)
    {
        string? epoch = log.Epoch;
        var missed = await MissedAsync(log, target, epoch, next).ConfigureAwait(false);
        var recent = missed is null ? await log.RecentAsync(_options.HistorySize, next).ConfigureAwait(false) : [];
        int count;
        lock (_gate)
        {
            if (member.Gone)
            {
                return false;
            }

            count = Seat(member, room, name);
            var now = _time.GetUtcNow();
            member.Send(new ChatEvent
            {
                Kind = ChatEventKind.Welcome, Name = name, Room = room.Name, Text = Greeting(present.Count), Timestamp = now, Members = present.Names,
                Epoch = member.Format == JsonFormat.Instance ? epoch : null,
                Resume = target.Resume,
            });
            if (problem is not null)
            {
                member.Send(Error($"{problem}; you are {name}"));
            }

            SendMissed(member, room, missed, target, epoch, now);

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
            if (member.Room is not null && KeepForResume(member))
            {
                return;
            }

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

        LogLeave(member, room.Name, count);

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
            // A name no longer this member's (resumed elsewhere, or its lease lapsed and another took it):
            // its presence is the new holder's, and the room is told nothing from here.
            bool released = await cluster.Names.ReleaseAsync(member.Name, Owner(member)).ConfigureAwait(false);
            bool removed = released && await cluster.Presence.RemoveAsync(room.Name, member.Name).ConfigureAwait(false);
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
        catch (Exception ex)
        {
            _log.Error(ex, "{Name}'s leave failed", member.Name);
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

    private static Task<long> AppendAsync(RoomLog log, ChatEvent e) => log.AppendAsync(RoomEventCodec.Encode(e));

    private bool AdmitNotice(ChatRoom room, bool joined)
    {
        lock (_gate)
        {
            return room.Presence.Admit(joined);
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
