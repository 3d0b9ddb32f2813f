using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;

namespace FleckChat.Soak;

/// <summary>
/// Short-lived extra connections at a fixed rate: each joins a random room of the soak, reads its
/// greeting and whatever the room says for 0.2–3 s (the time to the greeting is recorded), then leaves in one of three ways: the close
/// handshake (half of them), a TCP reset (a quarter) or a FIN without a close frame (a quarter).
/// </summary>
internal sealed class ChurnGenerator(Func<int, Uri> roomUrl, int rooms, double perSecond)
{
    // A stalled daemon must not make the soak pile up sockets of its own: beyond this, ticks are skipped.
    private const int MaxInFlight = 1000;

    // How long a step (connect, greeting, close answered) may take before the connection counts as failed:
    // long enough that a busy shared machine is not mistaken for a daemon that does not answer.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private long _started;
    private long _greeted;
    private long _closed;
    private long _reset;
    private long _dropped;
    private long _skipped;
    private long _failed;
    private readonly List<double> _greetingMs = [];
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    public long Started => Interlocked.Read(ref _started);

    public string Summary
    {
        get
        {
            lock (_failures)
            {
                var ms = _greetingMs.Order().ToList();
                string latency = ms.Count == 0 ? "none greeted" : string.Create(CultureInfo.InvariantCulture,
                    $"connect to greeting p50 {ms[ms.Count / 2]:F0} ms, p99 {ms[(int)(ms.Count * 0.99)]:F0} ms, max {ms[^1]:F0} ms");
                string failures = string.Join("; ", _failures.OrderByDescending(f => f.Value).Select(f => $"{f.Value} x {f.Key}"));
                return $"started {Started}, greeted {_greeted} ({latency}), left by close handshake {_closed}, by reset {_reset}, " +
                    $"by FIN without close frame {_dropped}; failed {_failed}{(failures.Length > 0 ? $" ({failures})" : "")}; skipped ticks {_skipped}";
            }
        }
    }

    public long Failed => Interlocked.Read(ref _failed);

    public async Task RunAsync(CancellationToken stop)
    {
        if (perSecond <= 0)
        {
            return;
        }

        Interlocked.Increment(ref _inFlight); // the loop itself, so that _drained cannot fire early
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (Volatile.Read(ref _inFlight) > MaxInFlight)
                {
                    Interlocked.Increment(ref _skipped);
                    continue;
                }

                Interlocked.Increment(ref _inFlight);
                _ = OneAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Load time is over.
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Completes when every connection started has ended.</summary>
    public Task Drained => _drained.Task;

    private async Task OneAsync()
    {
        Interlocked.Increment(ref _started);
        int room = Random.Shared.Next(rooms);
        int way = Random.Shared.Next(4);
        var stay = TimeSpan.FromMilliseconds(Random.Shared.Next(200, 3000));
        try
        {
            long start = Stopwatch.GetTimestamp();
            using var socket = await SoakSocket.ConnectAsync(roomUrl(room), Patience);
            using var deadline = new CancellationTokenSource(Patience);
            if (!Greeting.IsValid(await socket.ReceiveTextAsync(deadline.Token)))
            {
                throw new InvalidDataException("bad greeting");
            }

            Interlocked.Increment(ref _greeted);
            lock (_failures)
            {
                _greetingMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            var reading = ReadUntilCloseAsync(socket);
            await Task.Delay(stay);
            if (reading.IsCompleted)
            {
                throw new InvalidDataException("the server closed the connection early");
            }

            switch (way)
            {
                case 0 or 1:
                    await socket.WebSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(Patience);
                    if (!await reading.WaitAsync(Patience))
                    {
                        throw new InvalidDataException("close handshake not answered");
                    }

                    Interlocked.Increment(ref _closed);
                    break;
                case 2:
                    socket.Reset();
                    Interlocked.Increment(ref _reset);
                    break;
                default:
                    socket.Drop();
                    Interlocked.Increment(ref _dropped);
                    break;
            }

            await reading.WaitAsync(Patience);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            var cause = ex.GetBaseException();
            string what = cause is OperationCanceledException or TimeoutException ? $"no answer within {Patience.TotalSeconds:F0} s" : $"{cause.GetType().Name}: {cause.Message}";
            lock (_failures)
            {
                _failures[what] = _failures.GetValueOrDefault(what) + 1;
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Reads the room's lines; true when the server's close frame came, false when the socket was torn down.</summary>
    private static async Task<bool> ReadUntilCloseAsync(SoakSocket socket)
    {
        try
        {
            while (await socket.ReceiveTextAsync(CancellationToken.None) is not null)
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
    }
}
