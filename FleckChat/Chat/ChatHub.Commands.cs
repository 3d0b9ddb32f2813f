using FleckChat.Chat.Commands;
using FleckChat.Chat.Events;
using FleckChat.Chat.Names;

namespace FleckChat.Chat;

/// <summary>The commands that change or show the chat's state.</summary>
internal sealed partial class ChatHub
{
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

            _names.Remove(old);
            _names[newName] = member;
            member.Named(newName);
            room.Broadcast(new ChatEvent { Kind = ChatEventKind.Rename, Room = room.Name, From = old, Name = newName, Timestamp = _time.GetUtcNow() });
        }

        _log.Information("{OldName} is now known as {Name} ({ConnectionId})", old, newName, member.Connection.ConnectionInfo.Id);
    }

    internal void Who(Member member)
    {
        lock (_gate)
        {
            if (member.Room is { } room)
            {
                member.Send(new ChatEvent { Kind = ChatEventKind.Who, Room = room.Name, Members = room.MemberNames(), Timestamp = _time.GetUtcNow() });
            }
        }
    }

    internal void ListRooms(Member member) =>
        member.Send(new ChatEvent { Kind = ChatEventKind.Rooms, Rooms = RoomCounts(), Timestamp = _time.GetUtcNow() });

    internal void Help(Member member)
    {
        foreach (var line in HelpText.Lines)
        {
            member.Send(Info(line));
        }
    }

    internal void Quit(Member member, string reason)
    {
        member.QuitReason = reason.Length > 0 ? Truncate(reason, 100) : null;
        member.Connection.Close(1000, member.QuitReason ?? "quit");
        _log.Debug("{Name} quit ({ConnectionId})", member.Name, member.Connection.ConnectionInfo.Id);
    }

    internal void Unknown(Member member, string command) =>
        member.Send(Error($"unknown command /{command} (try /help)"));

    internal void Usage(Member member, string usage) => member.Send(Error("usage: " + usage));

    /// <summary>Shortens to at most <paramref name="max"/> characters without splitting a surrogate pair.</summary>
    private static string Truncate(string text, int max) =>
        text.Length <= max ? text : char.IsHighSurrogate(text[max - 1]) ? text[..(max - 1)] : text[..max];
}
