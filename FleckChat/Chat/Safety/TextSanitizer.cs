using System.Buffers;
using System.Globalization;
using System.Text;

namespace FleckChat.Chat.Safety;

/// <summary>
/// Makes member text safe to show in a terminal or a page and impossible to use for forging lines
/// (the rules, and why, are in docs/security.md, "Text tricks"):
/// <list type="bullet">
/// <item>a message is split into lines (CR, LF, CRLF, NEL, U+2028, U+2029); each line is relayed with
/// the sender's own prefix, so no line can look like it came from someone else or from the server;</item>
/// <item>ANSI escape sequences (CSI, OSC, DCS/SOS/PM/APC strings and two-byte escapes, in their 7-bit and
/// 8-bit forms) are removed whole, so text cannot move a cursor, clear a screen or set a title;</item>
/// <item>every other C0 and C1 control character except tab, and DEL, is removed;</item>
/// <item>bidirectional controls and invisible characters are removed; ZWJ and ZWNJ stay only between two
/// letters, marks or symbols outside ASCII (emoji ZWJ sequences, Persian, Devanagari), tag characters
/// only in a flag tag sequence (England, Scotland, Wales);</item>
/// <item>a base character keeps at most <see cref="MaxMarksPerBase"/> nonspacing or enclosing marks (UTS #39, 5.4);</item>
/// <item>lines that are empty, blank or invisible afterwards are dropped.</item>
/// </list>
/// </summary>
internal static class TextSanitizer
{
    /// <summary>Combining marks kept after one base character: more is "Zalgo" text.</summary>
    private const int MaxMarksPerBase = 4;

    private const char Esc = '\u001B';
    private const int Zwnj = 0x200C;
    private const int Zwj = 0x200D;
    private const int WavingBlackFlag = 0x1F3F4;

    /// <summary>Tab and printable ASCII: a line of nothing else needs no work.</summary>
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        "\t" + string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c)));

    private static readonly string[] Breaks = ["\r\n", "\r", "\n", "\u0085", "\u2028", "\u2029"];

    private static readonly SearchValues<char> BreakChars = SearchValues.Create("\r\n\u0085\u2028\u2029");

    /// <summary>The clean, visible lines of a message, in order.</summary>
    public static List<string> Lines(string text)
    {
        var lines = new List<string>(1);
        int first = text.AsSpan().IndexOfAnyExcept(Plain);
        if (first < 0)
        {
            // The common case: one line of printable ASCII, returned as is after one vectorised scan.
            if (!string.IsNullOrWhiteSpace(text))
            {
                lines.Add(text);
            }

            return lines;
        }

        if (text.AsSpan(first).IndexOfAny(BreakChars) < 0)
        {
            AddVisible(lines, Clean(text, first));
            return lines;
        }

        foreach (var raw in text.Split(Breaks, StringSplitOptions.None))
        {
            AddVisible(lines, Clean(raw));
        }

        return lines;
    }

    /// <summary>One line cleaned by the rules above (line breaks are removed, not split on).</summary>
    public static string Clean(string line)
    {
        int first = line.AsSpan().IndexOfAnyExcept(Plain);
        return first < 0 ? line : Clean(line, first);
    }

    /// <summary><paramref name="first"/>: the first character that is not tab or printable ASCII.</summary>
    private static string Clean(string line, int first) => IsClean(line, first) ? line : Rewrite(line, first);

    /// <summary>
    /// True when <see cref="Rewrite"/> would change nothing: the fast look at ordinary non-ASCII text, one
    /// category lookup per character and no writer. It follows Rewrite's rules for marks and joiners; anything
    /// else unusual (a format character, a surrogate that is not a pair) answers false and leaves the
    /// decision to Rewrite, which returns the line itself when it drops nothing.
    /// </summary>
    private static bool IsClean(string line, int i)
    {
        int marks = 0;
        bool afterJoinable = false;
        bool joiner = false;
        while (i < line.Length)
        {
            char c = line[i];
            if (c < '\u00A0')
            {
                if (joiner || c is not ('\t' or (>= ' ' and <= '~')))
                {
                    return false;
                }

                // Skip the rest of this run of plain ASCII in one vectorised step.
                marks = 0;
                afterJoinable = false;
                int next = line.AsSpan(i + 1).IndexOfAnyExcept(Plain);
                if (next < 0)
                {
                    return true;
                }

                i += next + 1;
                continue;
            }

            int value = c;
            int length = 1;
            if (char.IsSurrogate(c))
            {
                if (Rune.DecodeFromUtf16(line.AsSpan(i), out var rune, out length) != OperationStatus.Done)
                {
                    return false;
                }

                value = rune.Value;
            }

            if (value is Zwj or Zwnj)
            {
                if (joiner || !afterJoinable)
                {
                    return false;
                }

                joiner = true;
                i += length;
                continue;
            }

            var category = CharUnicodeInfo.GetUnicodeCategory(value);
            bool mark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;
            if (category is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned
                || IsRemoved(value) || (mark && ++marks > MaxMarksPerBase))
            {
                return false;
            }

            afterJoinable = IsJoinable(value, category);
            if (joiner && !afterJoinable)
            {
                return false;
            }

            joiner = false;
            marks = mark ? marks : 0;
            i += length;
        }

        return !joiner;
    }

    /// <summary>Cleans from <paramref name="first"/>, the first character that is not tab or printable ASCII.</summary>
    private static string Rewrite(string line, int first)
    {
        var writer = new LineWriter(line);
        int marks = 0;
        int i = first;
        while (i < line.Length)
        {
            char c = line[i];
            if (c < '\u00A0')
            {
                if (c is '\t' or (>= ' ' and <= '~'))
                {
                    writer.Keep(i, 1, joinable: false);
                    marks = 0;
                    i++;
                }
                else
                {
                    i = DropControl(line, i, ref writer);
                }

                continue;
            }

            Rune.DecodeFromUtf16(line.AsSpan(i), out var rune, out int length);
            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value is Zwj or Zwnj)
            {
                writer.Joiner(i);
            }
            else if (rune.Value == WavingBlackFlag && FlagTagsEnd(line, i + length) is int end and > 0)
            {
                length = end - i;
                writer.Keep(i, length, joinable: true);
                marks = 0;
            }
            else if (IsRemoved(rune.Value))
            {
                writer.Drop(i);
            }
            else if (category is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark))
            {
                writer.Keep(i, length, IsJoinable(rune.Value, category));
                marks = 0;
            }
            else if (++marks <= MaxMarksPerBase)
            {
                writer.Keep(i, length, joinable: true);
            }
            else
            {
                writer.Drop(i);
            }

            i += length;
        }

        return writer.Finish();
    }

    /// <summary>Drops the C0 or C1 control at <paramref name="i"/>, with the sequence it starts, and returns the index after them.</summary>
    private static int DropControl(string line, int i, ref LineWriter writer)
    {
        writer.Drop(i);
        char c = line[i];
        if (c == Esc)
        {
            return SkipEscape(line, i + 1);
        }

        // 8-bit CSI, OSC, DCS, SOS, PM, APC: skip their bodies like the 7-bit forms.
        return c is '\u009B' or '\u009D' or '\u0090' or '\u0098' or '\u009E' or '\u009F'
            ? SkipSequenceBody(line, i + 1, c == '\u009B' ? '[' : c == '\u009D' ? ']' : 'P')
            : i + 1;
    }

    /// <summary>
    /// Bidirectional controls, invisible characters and tag characters (UTS #39 and #55; Default_Ignorable
    /// code points except the joiners, variation selectors and Mongolian variation selectors that real text needs).
    /// </summary>
    private static bool IsRemoved(int c) => c is
        0x00AD // soft hyphen
        or 0x061C // Arabic letter mark
        or 0x115F or 0x1160 or 0x3164 or 0xFFA0 // Hangul fillers: letters that show nothing
        or 0x17B4 or 0x17B5 // Khmer inherent vowels
        or 0x180E // Mongolian vowel separator
        or 0x200B or 0x200E or 0x200F // zero width space, LRM, RLM
        or (>= 0x2028 and <= 0x202E) // line and paragraph separators; LRE, RLE, PDF, LRO, RLO
        or (>= 0x2060 and <= 0x206F) // word joiner, invisible operators; LRI, RLI, FSI, PDI; deprecated format controls
        or 0xFEFF // zero width no-break space (BOM)
        or (>= 0xFFF9 and <= 0xFFFB) // interlinear annotation controls
        or (>= 0x1BCA0 and <= 0x1BCA3) // shorthand format controls
        or (>= 0x1D173 and <= 0x1D17A) // musical format controls
        or (>= 0xE0000 and <= 0xE007F); // tags (kept only by FlagTagsEnd)

    /// <summary>What a ZWJ or ZWNJ may stand between: letters, marks and symbols (emoji among them) outside ASCII.</summary>
    private static bool IsJoinable(int value, UnicodeCategory category) =>
        value >= 0xA0 && category is <= UnicodeCategory.EnclosingMark or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;

    /// <summary>
    /// The end of a flag's tag sequence (UTS #51 ED-14a) starting at <paramref name="i"/>, just after U+1F3F4:
    /// 3 to 7 tag digits or lower-case tag letters (a CLDR subdivision such as gbeng) and CANCEL TAG. 0 if there is none.
    /// </summary>
    private static int FlagTagsEnd(string line, int i)
    {
        int start = i;
        while (i + 1 < line.Length && line[i] == '\uDB40' && line[i + 1] is (>= '\uDC30' and <= '\uDC39') or (>= '\uDC61' and <= '\uDC7A'))
        {
            i += 2;
        }

        int tags = (i - start) / 2;
        return tags is >= 3 and <= 7 && i + 1 < line.Length && line[i] == '\uDB40' && line[i + 1] == '\uDC7F' ? i + 2 : 0;
    }

    private static void AddVisible(List<string> lines, string line)
    {
        if (!IsInvisible(line))
        {
            lines.Add(line);
        }
    }

    /// <summary>True for a line of white space, braille blanks, marks without a base and format characters only.</summary>
    private static bool IsInvisible(string line)
    {
        foreach (var rune in line.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune) && rune.Value != 0x2800
                && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format))
            {
                return false;
            }
        }

        return true;
    }

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
