namespace FleckChat.Chat;

/// <summary>
/// In a cluster, a member's input that waits, in order, while its join, rename, whisper or question is
/// at Redis, and is then handed back in order by one taker at a time: the operation's end takes it
/// (<see cref="EndWait"/>, then <see cref="NextHeld"/>) until the member waits again, and input that
/// arrives meanwhile queues behind it. A single daemon has none (its requests never wait).
/// </summary>
internal sealed class HeldInput
{
    /// <summary>Input held while the member waits for the cluster beyond this is refused (<see cref="Holding.Full"/>).</summary>
    public const int MaxHeld = 64;

    private readonly object _gate = new();
    private Queue<string>? _queue;
    private int _waiting;
    private bool _taking;
    private bool _told;
    private int _turn;

    /// <summary>An operation at Redis starts: what the member sends meanwhile waits (<see cref="Hold"/>) until <see cref="EndWait"/>.</summary>
    public void BeginWait()
    {
        lock (_gate)
        {
            _waiting++;
            _turn++; // Whoever was taking held input stops: the input after this waits for this operation.
        }
    }

    /// <summary>Keeps the input for later when the member is waiting or its held input is being taken.</summary>
    public Holding Hold(string received)
    {
        lock (_gate)
        {
            if (_waiting == 0 && !_taking)
            {
                return Holding.HandleNow;
            }

            _queue ??= new Queue<string>();
            if (_queue.Count >= MaxHeld)
            {
                // Said once until the held input has been taken, like the rate limit's refusal.
                var refused = _told ? Holding.Dropped : Holding.Full;
                _told = true;
                return refused;
            }

            _queue.Enqueue(received);
            return Holding.Held;
        }
    }

    /// <summary>
    /// An operation at Redis has ended: returns the first held input to handle now, or null. The caller
    /// then takes the held input with <see cref="NextHeld"/> and <paramref name="turn"/> until it gets null.
    /// </summary>
    public string? EndWait(out int turn)
    {
        lock (_gate)
        {
            _waiting--;
            turn = _turn;
            return NextHeldLocked(turn);
        }
    }

    /// <summary>The next held input, or null when there is none, the member waits again, or another has taken over.</summary>
    public string? NextHeld(int turn)
    {
        lock (_gate)
        {
            return NextHeldLocked(turn);
        }
    }

    private string? NextHeldLocked(int turn)
    {
        if (turn != _turn)
        {
            return null;
        }

        if (_waiting > 0 || _queue is not { Count: > 0 } held)
        {
            _taking = false;
            if (_queue is not { Count: > 0 })
            {
                _told = false; // everything held has been taken: the next overflow is said again
            }

            return null;
        }

        _taking = true;
        return held.Dequeue();
    }
}

/// <summary>What <see cref="HeldInput.Hold"/> did with a member's input.</summary>
internal enum Holding
{
    /// <summary>Nothing waits: handle it now.</summary>
    HandleNow,

    /// <summary>Kept, behind what waits; handed back in order when the wait ends.</summary>
    Held,

    /// <summary>Not kept: as much as the bound already waits. The member must be told.</summary>
    Full,

    /// <summary>Not kept, and the member was told already since its held input was last taken.</summary>
    Dropped,
}
