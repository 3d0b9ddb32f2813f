namespace FleckChat.Chat.Commands;

/// <summary>
/// Reads a command line (<c>/name arguments</c>) and calls the chat. The first line holds the command;
/// for /me and /whisper any further lines of the same message are more text, one event per line.
/// </summary>
internal static class ChatCommands
{
    public static void Execute(ChatHub chat, Member member, IReadOnlyList<string> lines)
    {
        var (command, arguments) = SplitWord(lines[0][1..]);
        var more = lines.Skip(1);
        switch (command.ToLowerInvariant())
        {
            case "nick":
                if (arguments.Length == 0)
                {
                    chat.Usage(member, "/nick NAME");
                }
                else
                {
                    chat.Rename(member, arguments);
                }

                break;
            case "whisper" or "w" or "msg":
                var (target, text) = SplitWord(arguments);
                if (target.Length == 0 || text.Length == 0)
                {
                    chat.Usage(member, "/whisper NAME text");
                }
                else
                {
                    chat.Whisper(member, target, [text, .. more]);
                }

                break;
            case "me":
                if (arguments.Length == 0)
                {
                    chat.Usage(member, "/me text");
                }
                else
                {
                    chat.Say(member, Events.ChatEventKind.Action, [arguments, .. more]);
                }

                break;
            case "who" or "names":
                chat.Who(member);
                break;
            case "rooms":
                chat.ListRooms(member);
                break;
            case "help":
                chat.Help(member);
                break;
            case "quit":
                chat.Quit(member, arguments);
                break;
            default:
                chat.Unknown(member, command);
                break;
        }
    }

    /// <summary>Splits off the first word; the rest is trimmed.</summary>
    private static (string Word, string Remainder) SplitWord(string text)
    {
        text = text.TrimStart();
        int space = text.IndexOfAny([' ', '\t']);
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
    }
}
