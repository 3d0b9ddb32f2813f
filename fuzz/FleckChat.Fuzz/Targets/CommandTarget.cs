using System.Text;
using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Chat.Formats;
using FleckChat.Limits;

namespace FleckChat.Fuzz.Targets;

/// <summary>
/// What a member types, the way the chat receives it: TextFormat.Parse decides message or command,
/// TextSanitizer cleans it and ChatCommands runs it, in a chat with two other members (one text, one
/// JSON) who see the results. The input is up to 16 messages separated by NUL (which the sanitizer
/// would remove anyway), so that one input can rename, whisper and quit in turn.
/// </summary>
internal static class CommandTarget
{
    private const int MaxMessages = 16;

    // No rate limit: every message reaches the command parser. History on, so joins replay it.
    private static readonly ChatOptions Options = new() { RateLimit = RateLimit.Off, HistorySize = 5 };

    public static void Run(byte[] input)
    {
        var messages = Encoding.UTF8.GetString(input).Split('\0', MaxMessages);
        using var chat = new ChatHub(Options, Serilog.Core.Logger.None);
        var alice = Join(chat, "/chat?name=alice", "");
        var jay = Join(chat, "/chat?name=jay", JsonFormat.SubProtocol);
        var member = Join(chat, "/chat?name=fuzz", "");
        foreach (var message in messages)
        {
            member.OnMessage(message);
        }

        // A late joiner sees the history the member left behind.
        var late = Join(chat, "/chat/dev?name=late", "");
        member.OnClose();

        foreach (var connection in new[] { alice, member, late })
        {
            CheckTextLines(connection);
        }

        foreach (var message in jay.Received)
        {
            using var document = JsonDocument.Parse(message);
            Check.That(document.RootElement.TryGetProperty("type", out _), "every JSON event has a type");
        }

        long budget = 3 * ((2048L * (messages.Length + 2)) + (128L * input.Length));
        Check.That(alice.ReceivedBytes + jay.ReceivedBytes + member.ReceivedBytes + late.ReceivedBytes <= budget,
            "the chat sends more than linearly in what the member typed");
    }

    private static FuzzConnection Join(ChatHub chat, string path, string subProtocol)
    {
        var connection = new FuzzConnection(path, subProtocol);
        chat.Attach(connection);
        connection.OnOpen();
        return connection;
    }

    /// <summary>docs/protocol.md: every text line is a member's ([name]), a notice (* ) or an error (! ), and no line holds a control character.</summary>
    private static void CheckTextLines(FuzzConnection connection)
    {
        foreach (var line in connection.Received)
        {
            Check.That(!Check.HasControl(line), "a text line holds a control character or line break");
            Check.That(line.StartsWith('[') || line.StartsWith("* ", StringComparison.Ordinal) || line.StartsWith("! ", StringComparison.Ordinal) ||
                line.StartsWith("You are connected!", StringComparison.Ordinal), "a text line starts some other way than the protocol allows");
        }
    }
}
