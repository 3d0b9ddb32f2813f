using System.Diagnostics;
using System.Globalization;

namespace FleckChat.Soak;

/// <summary>
/// A member connected for the whole soak. It speaks at a fixed interval (<c>m INDEX SEQ padding</c>)
/// and checks every message of its room's members, its own included, in a <see cref="SenderLedger"/> each.
/// </summary>
internal sealed class SteadyMember
{
    private const string Padding = "................................................";
    private readonly SteadyMember[] _roomMates;
    private readonly SenderLedger[] _ledgers;
    private readonly int _rooms;
    private readonly LatencyHistogram _latency;
    private SoakSocket? _socket;
    private long _sent;
    private long _received;
    private volatile bool _closing;

    public SteadyMember(int index, int rooms, SteadyMember[] roomMates, LatencyHistogram latency)
    {
        _latency = latency;
        Index = index;
        _rooms = rooms;
        _roomMates = roomMates;
        _ledgers = new SenderLedger[roomMates.Length];
        for (int i = 0; i < _ledgers.Length; i++)
        {
            _ledgers[i] = new SenderLedger();
        }
    }

    public int Index { get; }

    public int Room => Index % _rooms;

    /// <summary>Its place in its room: member INDEX is slot INDEX / rooms of room INDEX % rooms.</summary>
    public int Slot => Index / _rooms;

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Member messages (from steady senders) received.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Lines that were neither a steady member's message of this room nor a notice, an error or history.</summary>
    public long Foreign { get; private set; }

    /// <summary>Error lines (<c>! ...</c>) the server sent this member, e.g. a refused message.</summary>
    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    /// <summary>Why this member stopped early, or null.</summary>
    public string? Failure { get; private set; }

    public IReadOnlyList<SenderLedger> Ledgers => _ledgers;

    /// <summary>Messages this member should have received: everything its room mates (itself included) sent.</summary>
    public long Expected => _roomMates.Sum(m => m.Sent);

    public long Lost => _ledgers.Select((ledger, slot) => ledger.Lost(_roomMates[slot].Sent)).Sum();

    public async Task ConnectAsync(Uri roomUrl)
    {
        _socket?.Dispose();
        _socket = await SoakSocket.ConnectAsync(roomUrl, TimeSpan.FromSeconds(30));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? greeting = await _socket.ReceiveTextAsync(deadline.Token);
        if (!Greeting.IsValid(greeting))
        {
            throw new InvalidDataException($"member {Index}: bad greeting \"{greeting}\"");
        }
    }

    /// <summary>Reads until the server's close frame; anything before <see cref="CloseAsync"/> is a failure.</summary>
    public async Task ReceiveAsync()
    {
        try
        {
            while (await Socket.ReceiveTextAsync(CancellationToken.None) is { } line)
            {
                Take(line);
            }

            if (!_closing)
            {
                Failure = $"the server closed the connection ({Socket.WebSocket.CloseStatus} {Socket.WebSocket.CloseStatusDescription})";
            }
        }
        catch (Exception ex) when (!_closing)
        {
            Failure = $"{ex.GetType().Name}: {ex.Message}";
        }
        catch (Exception)
        {
            // Torn down by CloseAsync's deadline: the close itself is what failed, and it says so.
        }
    }

    /// <summary>Sends every <paramref name="interval"/> from <paramref name="offset"/> on until <paramref name="stop"/>.</summary>
    public async Task SendAsync(TimeSpan interval, TimeSpan offset, CancellationToken stop)
    {
        try
        {
            await Task.Delay(offset, stop);
            using var timer = new PeriodicTimer(interval);
            do
            {
                // Never cancel a send: a cancelled ClientWebSocket send aborts the connection.
                long seq = Sent;
                await Socket.SendTextAsync(string.Create(CultureInfo.InvariantCulture, $"m {Index} {seq} {Stopwatch.GetTimestamp()} {Padding}"));
                Interlocked.Increment(ref _sent);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The soak's load time is over.
        }
        catch (Exception ex)
        {
            Failure ??= $"send failed: {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>True when every room mate's sent messages have arrived here.</summary>
    public bool HasAll()
    {
        for (int i = 0; i < _ledgers.Length; i++)
        {
            if (!_ledgers[i].HasAll(_roomMates[i].Sent))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sends the close frame; the receive loop ends when the server answers.</summary>
    public async Task CloseAsync(Task receiving, TimeSpan timeout)
    {
        _closing = true;
        try
        {
            await Socket.WebSocket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "soak over", CancellationToken.None)
                .WaitAsync(timeout);
            await receiving.WaitAsync(timeout);
        }
        catch (Exception ex)
        {
            Failure ??= $"close not answered: {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            Socket.Dispose();
        }
    }

    private SoakSocket Socket => _socket ?? throw new InvalidOperationException("not connected");

    private void Take(string line)
    {
        // "[user12]: m 7 31 ...." is member 7's message 31. Notices start "* ", errors "! ", and past
        // messages (history) "[HH:MM:SS] "; none of those is a relayed message.
        if (line.StartsWith("* ", StringComparison.Ordinal) || IsHistory(line))
        {
            return;
        }

        if (line.StartsWith("! ", StringComparison.Ordinal))
        {
            Errors++;
            FirstError ??= line;
            return;
        }

        if (!TryParse(line, out string name, out int sender, out long seq, out long sentAt) || sender % _rooms != Room || sender / _rooms >= _ledgers.Length)
        {
            Foreign++;
            return;
        }

        _ledgers[sender / _rooms].Record(name, seq);
        _latency.Record(Stopwatch.GetElapsedTime(sentAt));
        Interlocked.Increment(ref _received);
    }

    private static bool IsHistory(string line) =>
        line.Length > 11 && line[0] == '[' && line[3] == ':' && line[6] == ':' && line[9] == ']' && line[10] == ' ';

    private static bool TryParse(string line, out string name, out int sender, out long seq, out long sentAt)
    {
        name = "";
        sender = 0;
        seq = 0;
        sentAt = 0;
        int close = line.IndexOf("]: m ", StringComparison.Ordinal);
        if (close < 2 || line[0] != '[')
        {
            return false;
        }

        var rest = line.AsSpan(close + 5);
        int space = rest.IndexOf(' ');
        if (space < 0 || !int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out sender))
        {
            return false;
        }

        rest = rest[(space + 1)..];
        space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out seq))
        {
            return false;
        }

        rest = rest[(space + 1)..];
        space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out sentAt))
        {
            return false;
        }

        name = line[1..close];
        return true;
    }
}
