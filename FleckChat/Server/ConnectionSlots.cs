using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FleckChat.Server;

/// <summary>
/// Counts every accepted socket from <c>accept()</c> until it is closed, overall and per client
/// address, so that limits apply before a byte of the request is read. A socket still in its
/// handshake (no request head yet, TLS included) is the cheapest thing to give up: when a cap is
/// reached the oldest unfinished handshake is shed (reset) to make room, so silent sockets can never
/// hold the daemon's descriptors, and a newcomer still gets in. Only when every slot belongs to an
/// open connection is a newcomer refused (503). A per-address token bucket refuses connection storms.
/// Refused sockets (which get their 503) are bounded too. One lock; nothing here does I/O.
/// </summary>
internal sealed partial class ConnectionSlots
{
    /// <summary>Refused sockets that may be writing their 503 at once; beyond it a refused socket is reset unanswered.</summary>
    public const int MaxRefusing = 64;

    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, Address> _addresses = [];
    private readonly LinkedList<Slot> _handshakes = new();
    private readonly LinkedList<Slot> _refusing = new();
    private readonly SlotLimits _limits;
    private readonly TimeProvider _time;
    private int _total;

    public ConnectionSlots(SlotLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
    }

    // Read without the lock, for metrics and tests: a count a moment old is fine there.

    /// <summary>Connections accepted and not yet closed, handshakes included (refused sockets not).</summary>
    public int Count => Volatile.Read(ref _total);

    /// <summary>Sockets still in their handshake.</summary>
    public int Handshakes => _handshakes.Count;

    /// <summary>Client addresses with state here (open sockets, or a connection bucket still refilling).</summary>
    public int Addresses => _addresses.Count;

    /// <summary>
    /// Takes a slot for a socket just accepted. The answer says whether it may start its handshake or
    /// gets a 503 (and why), and which older handshakes to reset to make room.
    /// </summary>
    public Admission Admit(Socket socket, IPAddress address)
    {
        address = Normalize(address);
        long now = _time.GetTimestamp();
        List<Slot>? shed = null;
        lock (_gate)
        {
            var entry = EntryFor(address, now);
            string? refusal = null;
            int retryAfter = 10;
            if (!entry.TryTakeToken(_limits, _time, now, out int wait))
            {
                refusal = $"too many new connections from {address}";
                retryAfter = wait;
            }
            else
            {
                if (_limits.MaxHandshakesPerAddress > 0 && entry.Handshakes.Count >= _limits.MaxHandshakesPerAddress)
                {
                    Shed(entry.Handshakes.First!.Value, ref shed);
                }

                if (_limits.MaxPerAddress > 0 && entry.Total >= _limits.MaxPerAddress)
                {
                    if (entry.Handshakes.First is { } oldest)
                    {
                        Shed(oldest.Value, ref shed);
                    }
                    else
                    {
                        refusal = string.Create(CultureInfo.InvariantCulture, $"too many connections from {address} (at most {_limits.MaxPerAddress})");
                    }
                }

                if (refusal is null && _limits.MaxHandshakes > 0 && _handshakes.Count >= _limits.MaxHandshakes)
                {
                    Shed(_handshakes.First!.Value, ref shed);
                }

                if (refusal is null && _limits.Max > 0 && _total >= _limits.Max)
                {
                    if (_handshakes.First is { } oldest)
                    {
                        Shed(oldest.Value, ref shed);
                    }
                    else
                    {
                        refusal = string.Create(CultureInfo.InvariantCulture, $"server full: {_limits.Max} connections");
                    }
                }
            }

            var slot = new Slot(socket, entry, now);
            if (refusal is null)
            {
                slot.State = SlotState.Handshake;
                slot.Node = _handshakes.AddLast(slot);
                slot.AddressNode = entry.Handshakes.AddLast(slot);
                entry.Total++;
                _total++;
            }
            else if (_refusing.Count >= MaxRefusing)
            {
                // Already answering as many refusals as we allow: this one is reset without an answer,
                // the cheapest way through a storm (and its place in the accept queue frees at once).
                slot.State = SlotState.Shed;
            }
            else
            {
                slot.State = SlotState.Refusing;
                slot.Node = _refusing.AddLast(slot);
                entry.Refusing++;
            }

            return new Admission(slot, refusal, retryAfter, shed ?? (IReadOnlyList<Slot>)[]);
        }
    }

    /// <summary>The handshake succeeded: the slot now belongs to an open connection and is never shed.</summary>
    /// <returns>false when the slot was shed or timed out meanwhile (the socket is being reset).</returns>
    public bool Opened(Slot slot)
    {
        lock (_gate)
        {
            if (slot.State != SlotState.Handshake)
            {
                return false;
            }

            _handshakes.Remove(slot.Node!);
            slot.Entry.Handshakes.Remove(slot.AddressNode!);
            slot.State = SlotState.Open;
            return true;
        }
    }

    /// <summary>The socket is closed: its slot is free. Safe to call more than once.</summary>
    public void Release(Slot slot)
    {
        lock (_gate)
        {
            Free(slot, SlotState.Released);
        }
    }

    /// <summary>
    /// Handshakes accepted at or before <paramref name="deadline"/> (a <see cref="TimeProvider"/>
    /// timestamp): their slots are freed and the caller resets their sockets. Oldest first, so this
    /// costs nothing when none is due.
    /// </summary>
    public IReadOnlyList<Slot> TakeExpired(long deadline)
    {
        List<Slot>? expired = null;
        lock (_gate)
        {
            while (_handshakes.First is { } oldest && oldest.Value.AcceptedAt <= deadline)
            {
                Free(oldest.Value, SlotState.TimedOut);
                (expired ??= []).Add(oldest.Value);
            }
        }

        return expired ?? (IReadOnlyList<Slot>)[];
    }

    /// <summary>The slots still in their handshake, oldest first (the server resets them when it stops).</summary>
    public IReadOnlyList<Slot> Handshaking()
    {
        lock (_gate)
        {
            return [.. _handshakes];
        }
    }

    /// <summary>Out of descriptors: the oldest unfinished handshake (if any) gives its slot up.</summary>
    public Slot? ShedOldest()
    {
        lock (_gate)
        {
            List<Slot>? shed = null;
            if (_handshakes.First is { } oldest)
            {
                Shed(oldest.Value, ref shed);
            }

            return shed?[0];
        }
    }

    /// <summary>Forgets addresses with nothing open whose connection bucket is full again.</summary>
    public void Prune()
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            List<IPAddress>? idle = null;
            foreach (var (address, entry) in _addresses)
            {
                if (entry.IsIdle(_limits, _time, now))
                {
                    (idle ??= []).Add(address);
                }
            }

            foreach (var address in idle ?? [])
            {
                _addresses.Remove(address);
            }
        }
    }

    private Address EntryFor(IPAddress address, long now)
    {
        if (!_addresses.TryGetValue(address, out var entry))
        {
            entry = _addresses[address] = new Address(_limits.ConnectBurst, now);
        }

        return entry;
    }

    private void Shed(Slot slot, ref List<Slot>? shed)
    {
        Free(slot, SlotState.Shed);
        (shed ??= []).Add(slot);
    }

    private void Free(Slot slot, SlotState end)
    {
        switch (slot.State)
        {
            case SlotState.Handshake:
                _handshakes.Remove(slot.Node!);
                slot.Entry.Handshakes.Remove(slot.AddressNode!);
                slot.Entry.Total--;
                _total--;
                break;
            case SlotState.Open:
                slot.Entry.Total--;
                _total--;
                break;
            case SlotState.Refusing:
                _refusing.Remove(slot.Node!);
                slot.Entry.Refusing--;
                break;
            default:
                return;
        }

        slot.State = end;
        slot.Node = null;
        slot.AddressNode = null;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
