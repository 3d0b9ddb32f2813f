using FleckChat.Chat.Events;

namespace FleckChat.Chat.Commands;

/// <summary>
/// Reads a command line (<c>/name arguments</c>) and calls the chat; /help, usage and unknown commands
/// it answers itself. The first line holds the command;
/// for /me and /whisper any further lines of the same message are more text, one event per line.
/// </summary>
internal static class ChatCommands
{
    public static void Execute(ChatHub chat, Member member, IReadOnlyList<string> lines)
    {
        var (command, arguments) = SplitWord(lines[0][1..]);
        var (target, text) = SplitWord(arguments);
        var more = lines.Skip(1);
        switch (command.ToLowerInvariant())
        {
            case "nick" when arguments.Length > 0:
                chat.Rename(member, arguments);
                break;
            case "nick":
                Usage(chat, member, "/nick NAME");
                break;
            case "whisper" or "w" or "msg" when target.Length > 0 && text.Length > 0:
                chat.Whisper(member, target, [text, .. more]);
                break;
            case "whisper" or "w" or "msg":
                Usage(chat, member, "/whisper NAME text");
                break;
            case "me" when arguments.Length > 0:
                chat.Say(member, ChatEventKind.Action, [arguments, .. more]);
                break;
            case "me":
                Usage(chat, member, "/me text");
                break;
            case "who" or "names":
                chat.Who(member);
                break;
            case "rooms":
                chat.ListRooms(member);
                break;
            case "help":
                foreach (var line in HelpText.Lines)
                {
                    member.Send(chat.Info(line));
                }

                break;
            case "quit":
                chat.Quit(member, arguments);
                break;
            default:
                member.Send(chat.Error($"unknown command /{command} (try /help)"));
                break;
        }
    }

    private static void Usage(ChatHub chat, Member member, string usage) => member.Send(chat.Error("usage: " + usage));

    /// <summary>Splits off the first word; the rest is trimmed.</summary>
    private static (string Word, string Remainder) SplitWord(string text)
    {
        text = text.TrimStart();
        int space = text.IndexOfAny([' ', '\t']);
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
    }
}
