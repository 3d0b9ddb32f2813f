using System.Text;

namespace FleckChat.Client;

/// <summary>
/// The input line of the interactive client: a prompt and what the user is typing, kept at the
/// bottom of the terminal. A message that arrives meanwhile is printed above it (the input line is
/// erased, the message written, the input line drawn again with the cursor where it was), so typing
/// is never mangled. Enter hands the line over and clears it (the server's echo shows what was said).
/// Editing keys: Left and Right move the cursor, Home and End (Ctrl-A, Ctrl-E) jump to the ends,
/// Backspace and Delete remove before and at the cursor, Ctrl-U clears, Up and Down browse the
/// lines sent earlier (<see cref="LineHistory"/>), Ctrl-D on an empty line leaves. Safe to call
/// from two threads.
/// </summary>
internal sealed class LineEditor
{
    private const string EraseLine = "\r\u001b[2K";

    private readonly TextWriter _output;
    private readonly Func<int> _width;
    private readonly string _prompt;
    private readonly StringBuilder _line = new();
    private readonly LineHistory _history = new();
    private readonly object _gate = new();

    /// <summary>Where the next character goes, as an index into <see cref="_line"/>; never inside a surrogate pair.</summary>
    private int _cursor;

    public LineEditor(TextWriter output, Func<int> width, string prompt = "> ")
    {
        _output = output;
        _width = width;
        _prompt = prompt;
    }

    /// <summary>What has been typed so far.</summary>
    public string Current
    {
        get
        {
            lock (_gate)
            {
                return _line.ToString();
            }
        }
    }

    public void Start()
    {
        lock (_gate)
        {
            Redraw();
        }
    }

    /// <summary>Applies one key press.</summary>
    /// <returns>The finished line after Enter; null while typing; <see cref="EndOfInput"/> for Ctrl-D on an empty line.</returns>
    public string? Key(ConsoleKeyInfo key)
    {
        lock (_gate)
        {
            if (key.Key == ConsoleKey.Enter || key.KeyChar is '\r' or '\n')
            {
                string line = _line.ToString();
                _history.Add(line);
                Replace("");
                Redraw();
                return line;
            }

            if (IsControl(key, ConsoleKey.D, '\u0004') && _line.Length == 0)
            {
                _output.Write(EraseLine);
                _output.Flush();
                return EndOfInput;
            }

            Edit(key);
            Redraw();
            return null;
        }
    }

    /// <summary>Prints a message above the input line.</summary>
    public void PrintAbove(string text)
    {
        lock (_gate)
        {
            _output.Write(EraseLine);
            _output.Write(text);
            _output.Write('\n');
            Redraw();
        }
    }

    /// <summary>Erases the input line for good (before the client exits).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _output.Write(EraseLine);
            _output.Flush();
        }
    }

    /// <summary>Returned by <see cref="Key"/> for Ctrl-D on an empty line.</summary>
    public static readonly string EndOfInput = new('\u0004', 1);

    private static bool IsControl(ConsoleKeyInfo key, ConsoleKey letter, char code) =>
        ((key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key == letter) || key.KeyChar == code;

    private void Edit(ConsoleKeyInfo key)
    {
        if (key.Key == ConsoleKey.Backspace || key.KeyChar is '\b' or '\u007f')
        {
            int start = Before(_cursor);
            _line.Remove(start, _cursor - start);
            _cursor = start;
        }
        else if (key.Key == ConsoleKey.Delete)
        {
            _line.Remove(_cursor, After(_cursor) - _cursor);
        }
        else if (key.Key == ConsoleKey.LeftArrow)
        {
            _cursor = Before(_cursor);
        }
        else if (key.Key == ConsoleKey.RightArrow)
        {
            _cursor = After(_cursor);
        }
        else if (key.Key == ConsoleKey.Home || IsControl(key, ConsoleKey.A, '\u0001'))
        {
            _cursor = 0;
        }
        else if (key.Key == ConsoleKey.End || IsControl(key, ConsoleKey.E, '\u0005'))
        {
            _cursor = _line.Length;
        }
        else if (key.Key == ConsoleKey.UpArrow)
        {
            if (_history.Older(_line.ToString()) is { } older)
            {
                Replace(older);
            }
        }
        else if (key.Key == ConsoleKey.DownArrow)
        {
            if (_history.Newer() is { } newer)
            {
                Replace(newer);
            }
        }
        else if (IsControl(key, ConsoleKey.U, '\u0015'))
        {
            Replace("");
        }
        else if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
        {
            _line.Insert(_cursor, key.KeyChar);
            _cursor++;
        }
    }

    private void Replace(string text)
    {
        _line.Clear().Append(text);
        _cursor = _line.Length;
    }

    /// <summary>The index one character before <paramref name="index"/>, a surrogate pair counting as one.</summary>
    private int Before(int index) =>
        index >= 2 && char.IsLowSurrogate(_line[index - 1]) && char.IsHighSurrogate(_line[index - 2]) ? index - 2 : Math.Max(0, index - 1);

    /// <summary>The index one character after <paramref name="index"/>, a surrogate pair counting as one.</summary>
    private int After(int index) =>
        index + 1 < _line.Length && char.IsHighSurrogate(_line[index]) && char.IsLowSurrogate(_line[index + 1]) ? index + 2 : Math.Min(_line.Length, index + 1);

    private void Redraw()
    {
        // Only a window that fits on one row is drawn, so a long line never wraps under the cursor:
        // its tail while the cursor is there, else from the cursor on.
        int room = Math.Max(8, _width() - _prompt.Length - 1);
        int start = Math.Clamp(_line.Length - room, 0, _cursor);
        if (start > 0 && start < _cursor && char.IsLowSurrogate(_line[start]))
        {
            start++;
        }

        string shown = _line.ToString(start, Math.Min(room, _line.Length - start));
        int behind = Columns(shown[(_cursor - start)..]);
        _output.Write(EraseLine);
        _output.Write(_prompt);
        _output.Write(shown);
        if (behind > 0)
        {
            _output.Write($"\u001b[{behind}D");
        }

        _output.Flush();
    }

    /// <summary>Columns the cursor moves back over: one per character, a surrogate pair counting as one.</summary>
    private static int Columns(string text) => text.Count(c => !char.IsLowSurrogate(c));
}
