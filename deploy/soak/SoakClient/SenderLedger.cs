namespace FleckChat.Soak;

/// <summary>
/// What one steady member saw of one sender in its room: the sequence numbers, in order, exactly once.
/// Only the member's receive loop writes it; the totals are read after that loop ended.
/// </summary>
internal sealed class SenderLedger
{
    private long _next;
    private HashSet<long>? _missing;
    private string? _name;

    public long Duplicated { get; private set; }

    /// <summary>Messages that arrived after a later one from the same sender.</summary>
    public long Reordered { get; private set; }

    /// <summary>Messages of this sender that came under another name than its first.</summary>
    public long NameChanges { get; private set; }

    public void Record(string name, long seq)
    {
        _name ??= name;
        if (!string.Equals(_name, name, StringComparison.Ordinal))
        {
            NameChanges++;
        }

        if (seq == _next)
        {
            _next++;
        }
        else if (seq > _next)
        {
            _missing ??= [];
            for (long gap = _next; gap < seq; gap++)
            {
                _missing.Add(gap);
            }

            _next = seq + 1;
        }
        else if (_missing?.Remove(seq) == true)
        {
            Reordered++;
        }
        else
        {
            Duplicated++;
        }
    }

    /// <summary>Messages the sender sent that never arrived here.</summary>
    public long Lost(long sent) => (_missing?.Count ?? 0) + Math.Max(0, sent - _next);

    public bool HasAll(long sent) => _next >= sent && (_missing?.Count ?? 0) == 0;
}
