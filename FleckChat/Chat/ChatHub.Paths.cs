using FleckChat.Chat.Names;

namespace FleckChat.Chat;

/// <summary>
/// Where a connection goes: its request target names the room (<c>/chat</c> is the lobby,
/// <c>/chat/dev</c> the room <c>dev</c>); its query is read by <see cref="JoinTarget"/>.
/// </summary>
internal sealed partial class ChatHub
{
    private readonly string _basePath;

    /// <summary>True for the chat's paths: the base path (the lobby) and base/ROOM for a valid room name.</summary>
    public bool IsPathServed(string path) => RoomFromPath(path) is not null;

    private string? RoomFromPath(string path)
    {
        if (path == _basePath)
        {
            return DefaultRoom;
        }

        string room = path.StartsWith(_basePath + "/", StringComparison.Ordinal) ? path[(_basePath.Length + 1)..] : "";
        return NameRules.IsValidRoom(room) ? room : null;
    }
}
