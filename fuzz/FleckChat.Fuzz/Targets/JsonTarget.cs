using System.Text;
using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
using FleckChat.Chat.Safety;

namespace FleckChat.Fuzz.Targets;

/// <summary>
/// JsonFormat.Parse, the JSON client's input: any text is a message, a command, or invalid with one of
/// the documented explanations, never an exception. A message the server accepted must survive its
/// own rendering: rendered as an event and read back by Parse, it is the same text. The text then goes
/// through the sanitizer as the chat would send it.
/// </summary>
internal static class JsonTarget
{
    private static readonly string[] Explanations =
    [
        """send {"type":"message","text":"..."} or {"type":"command","text":"/..."}""",
        "a command's text starts with /",
    ];

    public static void Run(byte[] input)
    {
        string received = Encoding.UTF8.GetString(input);
        var parsed = JsonFormat.Instance.Parse(received);
        switch (parsed.Kind)
        {
            case ClientInputKind.Invalid:
                Check.That(Explanations.Contains(parsed.Text), "an invalid input gets an undocumented explanation");
                return;
            case ClientInputKind.Command:
                Check.That(parsed.Text.StartsWith('/'), "a command that does not start with /");
                break;
            case ClientInputKind.Message:
                break;
            default:
                throw new FuzzFinding($"unknown input kind {parsed.Kind}");
        }

        Check.That(parsed.Text.Length <= received.Length, "the parsed text is longer than what was received");
        CheckRoundTrip(parsed.Text);
        SanitizerTarget.CheckLines(TextSanitizer.Lines(parsed.Text), parsed.Text);
    }

    private static void CheckRoundTrip(string text)
    {
        var rendered = JsonFormat.Instance.Render(new ChatEvent { Kind = ChatEventKind.Message, Timestamp = DateTimeOffset.UnixEpoch, From = "fuzz", Text = text });
        var back = JsonFormat.Instance.Parse(Encoding.UTF8.GetString(rendered.Payload));
        Check.That(back.Kind == ClientInputKind.Message, "a rendered message does not parse back as a message");

        // The writer replaces a lone surrogate, which UTF-8 cannot carry, with U+FFFD: compare valid text only.
        if (!HasLoneSurrogate(text))
        {
            Check.That(back.Text == text, "a message changes on its way through rendering and parsing");
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
