using FleckChat.Chat.Names;

namespace FleckChat.Chat.Commands;

/// <summary>What /help says: every command with a one-line description, and the name rules.</summary>
internal static class HelpText
{
    public static readonly string[] Lines =
    [
        "commands:",
        "/nick NAME - change your name (" + NameRules.Summary + ")",
        "/whisper NAME text - a private message to NAME (also /w, /msg)",
        "/who - who is in this room (also /names)",
        "/me text - an action: * yourname text",
        "/rooms - the rooms and how many are in each; join one at /chat/ROOM",
        "/help - this list",
        "/quit [reason] - leave the chat",
        "//text - say something that starts with /",
    ];
}
