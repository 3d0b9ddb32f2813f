using System.Text;
using FleckChat.Chat.Safety;

namespace FleckChat.Fuzz.Targets;

/// <summary>
/// TextSanitizer.Lines: what remains of a message must be lines without control characters, escape
/// sequences or line breaks, none blank, none longer than what was sent, and cleaning them again
/// must change nothing. Input starting with the UTF-16LE byte order mark (FF FE) is read as UTF-16
/// code units, so lone surrogates can reach the sanitizer as they can from a JSON \uD800 escape;
/// anything else is read as UTF-8, as the WebSocket layer delivers it.
/// </summary>
internal static class SanitizerTarget
{
    public static void Run(byte[] input)
    {
        string text = input.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
            ? new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(input.AsSpan(2, (input.Length - 2) & ~1)))
            : Encoding.UTF8.GetString(input);
        var lines = TextSanitizer.Lines(text);
        CheckLines(lines, text);

        // Stable: the cleaned lines, cleaned again, are the same lines.
        var again = TextSanitizer.Lines(string.Join('\n', lines));
        Check.That(again.SequenceEqual(lines), "cleaning the sanitizer's output again changes it");
    }

    /// <summary>The sanitizer's promises, shared with the harnesses that reach it from the chat.</summary>
    public static void CheckLines(List<string> lines, string text)
    {
        long total = 0;
        foreach (var line in lines)
        {
            Check.That(!string.IsNullOrWhiteSpace(line), "a blank line survived");
            Check.That(!Check.HasControl(line), "a control character, escape or line break survived");
            Check.That(TextSanitizer.Clean(line) == line, "a clean line is not left as it is");
            total += line.Length;
        }

        Check.That(total <= text.Length, "the sanitizer's lines are longer than the text");
    }
}
