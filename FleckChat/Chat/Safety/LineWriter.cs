using System.Text;

namespace FleckChat.Chat.Safety;

/// <summary>
/// Builds one cleaned line for <see cref="TextSanitizer"/>: it copies nothing until something is dropped,
/// so a line that needs no change comes back as the same string, and it holds a zero-width joiner back
/// until it sees what follows, keeping the joiner only between two joinable characters.
/// </summary>
internal ref struct LineWriter
{
    private readonly string _line;
    private StringBuilder? _copy;
    private int _joiner = -1;
    private bool _afterJoinable;

    public LineWriter(string line) => _line = line;

    /// <summary>Keeps <c>line[start..start+length]</c>; joinable: a letter, mark or symbol outside ASCII.</summary>
    public void Keep(int start, int length, bool joinable)
    {
        if (_joiner >= 0)
        {
            if (joinable)
            {
                _copy?.Append(_line[_joiner]);
            }
            else
            {
                // Until now the joiner was kept in place; nothing was dropped since, so it sits just before start.
                CopyUpTo(_joiner);
            }

            _joiner = -1;
        }

        _copy?.Append(_line, start, length);
        _afterJoinable = joinable;
    }

    /// <summary>Drops what starts at <paramref name="index"/>; the caller skips past it.</summary>
    public void Drop(int index) => CopyUpTo(_joiner >= 0 ? _joiner : index);

    /// <summary>A ZWJ or ZWNJ: held if it follows a joinable character, dropped if not or if one is already held.</summary>
    public void Joiner(int index)
    {
        if (_joiner < 0 && _afterJoinable)
        {
            _joiner = index;
        }
        else
        {
            Drop(index);
        }
    }

    /// <summary>The cleaned line; a joiner still held (nothing followed it) is dropped.</summary>
    public readonly string Finish() =>
        _copy?.ToString() ?? (_joiner >= 0 ? _line[.._joiner] : _line);

    /// <summary>Starts the copy on the first change: everything before <paramref name="end"/> was kept as is.</summary>
    private void CopyUpTo(int end)
    {
        if (_copy is null)
        {
            _copy = new StringBuilder(_line.Length);
            _copy.Append(_line, 0, end);
        }
    }
}
