using System.Text;

namespace FleckChat.Chat.Safety;

/// <summary>
/// Makes member text safe to show in a terminal and impossible to use for forging lines:
/// <list type="bullet">
/// <item>a message is split into lines (CR, LF, CRLF, NEL, U+2028, U+2029); each line is relayed with
/// the sender's own prefix, so no line can look like it came from someone else or from the server;</item>
/// <item>ANSI escape sequences (CSI, OSC, DCS/SOS/PM/APC strings and two-byte escapes, in their 7-bit and
/// 8-bit forms) are removed whole, so text cannot move a cursor, clear a screen or set a title;</item>
/// <item>every other C0 and C1 control character except tab, and DEL, is removed;</item>
/// <item>lines that are empty or blank afterwards are dropped.</item>
/// </list>
/// </summary>
internal static class TextSanitizer
{
    private const char Esc = '\u001B';

    /// <summary>The clean, non-blank lines of a message, in order.</summary>
    public static List<string> Lines(string text)
    {
        var lines = new List<string>(1);
        if (IsPlainLine(text))
        {
            // The common case: one line of ordinary text, returned as is.
            if (!string.IsNullOrWhiteSpace(text))
            {
                lines.Add(text);
            }

            return lines;
        }

        foreach (var raw in text.Split(["\r\n", "\r", "\n", "\u0085", "\u2028", "\u2029"], StringSplitOptions.None))
        {
            string clean = Clean(raw);
            if (!string.IsNullOrWhiteSpace(clean))
            {
                lines.Add(clean);
            }
        }

        return lines;
    }

    /// <summary>One line with escape sequences and control characters removed (line breaks included).</summary>
    public static string Clean(string line)
    {
        if (IsPlainLine(line))
        {
            return line;
        }

        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == Esc)
            {
                i = SkipEscape(line, i + 1) - 1;
            }
            else if (c is '\u009B' or '\u009D' or '\u0090' or '\u0098' or '\u009E' or '\u009F')
            {
                // 8-bit CSI, OSC, DCS, SOS, PM, APC: skip their bodies like the 7-bit forms.
                i = SkipSequenceBody(line, i + 1, c == '\u009B' ? '[' : c == '\u009D' ? ']' : 'P') - 1;
            }
            else if (!IsControl(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static bool IsPlainLine(string text)
    {
        foreach (char c in text)
        {
            if (IsControl(c) || c is '\u2028' or '\u2029')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsControl(char c) => (c < ' ' && c != '\t') || (c >= '\u007F' && c <= '\u009F');

    /// <summary>Returns the index just past the escape sequence whose introducer follows ESC at <paramref name="i"/>.</summary>
    private static int SkipEscape(string s, int i)
    {
        if (i >= s.Length)
        {
            return i;
        }

        char kind = s[i];
        if (kind is '[' or ']' or 'P' or 'X' or '^' or '_')
        {
            return SkipSequenceBody(s, i + 1, kind);
        }

        // nF escapes: intermediates 0x20-0x2F, then one final byte 0x30-0x7E.
        while (i < s.Length && s[i] >= ' ' && s[i] <= '/')
        {
            i++;
        }

        return i < s.Length && s[i] >= '0' && s[i] <= '~' ? i + 1 : i;
    }

    private static int SkipSequenceBody(string s, int i, char kind)
    {
        if (kind == '[')
        {
            // CSI: parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, one final byte 0x40-0x7E.
            while (i < s.Length && s[i] >= '0' && s[i] <= '?')
            {
                i++;
            }

            while (i < s.Length && s[i] >= ' ' && s[i] <= '/')
            {
                i++;
            }

            return i < s.Length && s[i] >= '@' && s[i] <= '~' ? i + 1 : i;
        }

        // OSC, DCS, SOS, PM, APC: a string ended by BEL (OSC), ST (ESC \ or 0x9C), or the end of the line.
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '\u0007' || c == '\u009C')
            {
                return i + 1;
            }

            if (c == Esc && i + 1 < s.Length && s[i + 1] == '\\')
            {
                return i + 2;
            }

            i++;
        }

        return i;
    }
}
