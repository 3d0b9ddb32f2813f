namespace FleckChat.Client;

/// <summary>
/// The lines sent in this session, for Up and Down in the <see cref="LineEditor"/>: the newest
/// <see cref="Capacity"/> of them, without a line repeated right after itself. Browsing keeps the
/// line being edited aside, and Down past the newest line gives it back. Not thread-safe: the
/// editor calls it under its own lock.
/// </summary>
internal sealed class LineHistory
{
    public const int Capacity = 100;

    private readonly List<string> _lines = [];
    private int _position;
    private string _draft = "";

    /// <summary>Remembers a line that was sent, and ends any browsing.</summary>
    public void Add(string line)
    {
        if (!string.IsNullOrWhiteSpace(line) && (_lines.Count == 0 || _lines[^1] != line))
        {
            if (_lines.Count == Capacity)
            {
                _lines.RemoveAt(0);
            }

            _lines.Add(line);
        }

        _position = _lines.Count;
        _draft = "";
    }

    /// <summary>The line before the one shown (<paramref name="current"/>), or null at the oldest.</summary>
    public string? Older(string current)
    {
        if (_position == 0)
        {
            return null;
        }

        if (_position == _lines.Count)
        {
            _draft = current;
        }

        _position--;
        return _lines[_position];
    }

    /// <summary>The line after the one shown, the line being edited past the newest, or null when already there.</summary>
    public string? Newer()
    {
        if (_position == _lines.Count)
        {
            return null;
        }

        _position++;
        return _position == _lines.Count ? _draft : _lines[_position];
    }
}
