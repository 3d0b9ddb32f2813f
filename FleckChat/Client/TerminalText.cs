using System.Text;

namespace FleckChat.Client;

/// <summary>
/// What others send is shown on a terminal without its control characters: an escape sequence in a
/// chat message must not move the cursor, retitle the window or hide text. Line feeds and tabs stay.
/// </summary>
internal static class TerminalText
{
    public const char Replacement = '\uFFFD';

    public static string Sanitize(string text)
    {
        if (!text.Any(IsUnsafe))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            sb.Append(IsUnsafe(c) ? Replacement : c);
        }

        return sb.ToString();
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) && c != '\n' && c != '\t';
}
