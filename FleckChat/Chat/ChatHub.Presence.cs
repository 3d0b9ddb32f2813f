using System.Globalization;
using FleckChat.Chat.Events;

namespace FleckChat.Chat;

/// <summary>Rooms, and the summary a room gets when members come and go faster than anyone reads.</summary>
internal sealed partial class ChatHub
{
    private ChatRoom NewRoom(string name) => new(name, _options.HistorySize, _time, SummarizePresence);

    /// <summary>Runs on the room's presence timer: one line for the joins and leaves held back in the last second.</summary>
    private void SummarizePresence(ChatRoom room)
    {
        lock (_gate)
        {
            var (joined, left) = room.Presence.TakeHeld();
            if (joined + left == 0 || room.Count == 0)
            {
                return;
            }

            room.Broadcast(new ChatEvent
            {
                Kind = ChatEventKind.Presence, Room = room.Name, Joined = joined, Left = left, Text = PresenceText(joined, left), Timestamp = _time.GetUtcNow(),
            });
        }
    }

    private static string PresenceText(int joined, int left) => (joined, left) switch
    {
        (_, 0) => Members(joined) + " joined in the last second",
        (0, _) => Members(left) + " left in the last second",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Members(joined)} joined and {left} left in the last second"),
    };

    private static string Members(int count) =>
        count == 1 ? "1 member" : string.Create(CultureInfo.InvariantCulture, $"{count} members");
}
