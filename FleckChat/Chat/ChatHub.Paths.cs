using FleckChat.Chat.Names;
using FleckChat.Chat.Safety;

namespace FleckChat.Chat;

/// <summary>
/// Where a connection goes: its request target names the room (<c>/chat</c> is the lobby,
/// <c>/chat/dev</c> the room <c>dev</c>) and may ask for a name (<c>?name=alice</c>).
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

    /// <summary>
    /// Splits <c>/chat/dev?name=alice</c> into the path and the requested name (URL-decoded, then cleaned
    /// like a chat line, so invisible and bidirectional characters never reach the name rules), if any.
    /// </summary>
    private static (string Path, string? Name) SplitTarget(string target)
    {
        int q = target.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return (target, null);
        }

        foreach (var pair in target[(q + 1)..].Split('&'))
        {
            if (pair.StartsWith("name=", StringComparison.Ordinal))
            {
                return (target[..q], TextSanitizer.Clean(Uri.UnescapeDataString(pair[5..].Replace('+', ' '))));
            }
        }

        return (target[..q], null);
    }
}
