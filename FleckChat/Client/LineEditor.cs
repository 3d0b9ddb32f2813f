using System.Text;

namespace FleckChat.Client;

/// <summary>
/// The input line of the interactive client: a prompt and what the user is typing, kept at the
/// bottom of the terminal. A message that arrives meanwhile is printed above it (the input line is
/// erased, the message written, the input line drawn again), so typing is never mangled. Enter hands
/// the line over and clears it (the server's echo shows what was said); Backspace, Ctrl-U (clear)
/// and Ctrl-D (leave, on an empty line) are the editing keys. Safe to call from two threads.
/// </summary>
internal sealed class LineEditor
{
    private const string EraseLine = "\r\u001b[2K";

    private readonly TextWriter _output;
    private readonly Func<int> _width;
    private readonly string _prompt;
    private readonly StringBuilder _line = new();
    private readonly object _gate = new();

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
            bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
            if (key.Key == ConsoleKey.Enter || key.KeyChar is '\r' or '\n')
            {
                string line = _line.ToString();
                _line.Clear();
                Redraw();
                return line;
            }

            if (key.Key == ConsoleKey.Backspace || key.KeyChar is '\b' or '\u007f')
            {
                int remove = _line.Length >= 2 && char.IsLowSurrogate(_line[^1]) ? 2 : Math.Min(1, _line.Length);
                _line.Length -= remove;
            }
            else if ((control && key.Key == ConsoleKey.U) || key.KeyChar == '\u0015')
            {
                _line.Clear();
            }
            else if ((control && key.Key == ConsoleKey.D) || key.KeyChar == '\u0004')
            {
                if (_line.Length == 0)
                {
                    _output.Write(EraseLine);
                    _output.Flush();
                    return EndOfInput;
                }
            }
            else if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
            {
                _line.Append(key.KeyChar);
            }

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

    private void Redraw()
    {
        // Only the tail that fits on one row is drawn, so a long line never wraps under the cursor.
        int room = Math.Max(8, _width() - _prompt.Length - 1);
        string shown = _line.Length <= room ? _line.ToString() : _line.ToString(_line.Length - room, room);
        _output.Write(EraseLine);
        _output.Write(_prompt);
        _output.Write(shown);
        _output.Flush();
    }
}
