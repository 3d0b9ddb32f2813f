using FleckChat.Chat.Events;

namespace FleckChat.Chat;

/// <summary>
/// What a member asks for with a command, besides saying something: whispering, renaming, who is
/// here, which rooms exist, quitting. With <c>--redis</c> each hands over to ChatHub.ClusterRequests.cs
/// where the answer is the cluster's.
/// </summary>
internal sealed partial class ChatHub
{
    internal void Whisper(Member member, string target, IReadOnlyList<string> lines)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(target, out var to) && _cluster is not null)
            {
                WhisperAcrossCluster(member, target, lines);
                return;
            }

            if (to is null)
            {
                member.Send(Error($"no one called {target} is connected"));
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var line in lines)
            {
                var whisper = new ChatEvent { Kind = ChatEventKind.Whisper, From = member.Name, To = to.Name, Text = line, Timestamp = now };
                to.Send(whisper);
                if (to != member)
                {
                    member.Send(whisper);
                }
            }
        }

        _log.Verbose("{Name} whispered to {Target}", member.Name, target);
    }

    internal void Rename(Member member, string newName)
    {
        string old;
        lock (_gate)
        {
            if (member.Room is not { } room)
            {
                return;
            }

            if (WhyNotAvailable(newName, member) is { } problem)
            {
                member.Send(Error($"{problem}; you are still {member.Name}"));
                return;
            }

            old = member.Name;
            if (old == newName)
            {
                member.Send(Info($"you are already {old}"));
                return;
            }

            if (_cluster is not null)
            {
                RenameInCluster(member, room, newName);
                return;
            }

            _names.Remove(old);
            _names[newName] = member;
            member.Named(newName);
            room.Broadcast(new ChatEvent { Kind = ChatEventKind.Rename, Room = room.Name, From = old, Name = newName, Timestamp = _time.GetUtcNow() });
        }

        _log.Information("{OldName} is now known as {Name} ({ConnectionId})", old, newName, member.Connection.ConnectionInfo.Id);
    }

    internal void Who(Member member)
    {
        if (_cluster is not null)
        {
            AskCluster(member, WhoInClusterAsync);
            return;
        }

        lock (_gate)
        {
            if (member.Room is { } room)
            {
                member.Send(new ChatEvent { Kind = ChatEventKind.Who, Room = room.Name, Members = room.MemberNames(), Timestamp = _time.GetUtcNow() });
            }
        }
    }

    internal void ListRooms(Member member)
    {
        if (_cluster is not null)
        {
            AskCluster(member, RoomsInClusterAsync);
            return;
        }

        member.Send(new ChatEvent { Kind = ChatEventKind.Rooms, Rooms = RoomCounts(), Timestamp = _time.GetUtcNow() });
    }

    /// <summary>Closes with the member's reason (shortened, kept for its leave notice) or "quit".</summary>
    internal void Quit(Member member, string reason)
    {
        member.QuitReason = reason.Length > 0 ? Truncate(reason, 100) : null;
        member.Connection.Close(1000, member.QuitReason ?? "quit");
        _log.Debug("{Name} quit ({ConnectionId})", member.Name, member.Connection.ConnectionInfo.Id);
    }
}
