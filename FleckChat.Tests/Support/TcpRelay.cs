using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FleckChat.Tests.Support;

/// <summary>
/// A TCP relay on 127.0.0.1 (port 0, read back) in front of a target port on 127.0.0.1, both
/// directions, one pair of sockets per accepted connection: a link the test can break. While
/// <see cref="Cut"/>, it closes every relayed connection and closes each new one as soon as it is
/// accepted (the listener stays bound, so the client sees its connection closed rather than
/// refused or hanging); <see cref="Restore"/> relays again. Expected socket errors (resets,
/// closes, cancellations) end a connection quietly; anything else is kept and thrown by
/// <see cref="DisposeAsync"/>, so a broken relay fails its test instead of passing unseen.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly HashSet<Relayed> _relayed = [];
    private readonly List<Task> _connections = [];
    private readonly ConcurrentQueue<Exception> _failures = new();
    private readonly Task _accepting;
    private bool _cut;
    private int _disposed;

    private TcpRelay(Socket listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as a Redis client's configuration takes it.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>Connections relayed right now (not counting those closed at once while cut).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _relayed.Count;
            }
        }
    }

    private bool IsCut
    {
        get
        {
            lock (_gate)
            {
                return _cut;
            }
        }
    }

    public static TcpRelay Start(int targetPort)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            return new TcpRelay(listener, targetPort);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Closes every relayed connection, and each one accepted from now until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        Relayed[] cut;
        lock (_gate)
        {
            _cut = true;
            cut = [.. _relayed];
            _relayed.Clear();
        }

        foreach (var relayed in cut)
        {
            relayed.Close();
        }
    }

    /// <summary>Relays new connections again (those closed by <see cref="Cut"/> stay closed).</summary>
    public void Restore()
    {
        lock (_gate)
        {
            _cut = false;
        }
    }

    /// <summary>Stops accepting, closes every connection, waits for their loops; throws what went wrong unexpectedly meanwhile.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        Cut();
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll([_accepting, .. connections]).Bounded();
        _stopping.Dispose();
        if (!_failures.IsEmpty)
        {
            throw new AggregateException("the relay failed unexpectedly", _failures);
        }
    }

    private static bool IsExpected(Exception ex) =>
        ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stopping.Token);

                // Its errors are handled inside; kept to be awaited by DisposeAsync.
                var relaying = RelayAsync(client);
                lock (_gate)
                {
                    _connections.RemoveAll(task => task.IsCompleted);
                    _connections.Add(relaying);
                }
            }
        }
        catch (Exception ex) when (IsExpected(ex) && _stopping.IsCancellationRequested)
        {
            // Disposed: the listener is closed.
        }
        catch (Exception ex)
        {
            _failures.Enqueue(ex);
        }
    }

    /// <summary>Connects the accepted client to the target and copies both ways until either side ends or the relay is cut.</summary>
    private async Task RelayAsync(Socket client)
    {
        var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var relayed = new Relayed(client, target);
        try
        {
            if (IsCut)
            {
                return;
            }

            await target.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stopping.Token);
            lock (_gate)
            {
                // Cut while connecting: closed like the rest.
                if (_cut)
                {
                    return;
                }

                _relayed.Add(relayed);
            }

            await Task.WhenAll(CopyAsync(client, target, relayed), CopyAsync(target, client, relayed));
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            // The target refused, or the relay stopped: the client sees its connection closed.
        }
        catch (Exception ex)
        {
            _failures.Enqueue(ex);
        }
        finally
        {
            lock (_gate)
            {
                _relayed.Remove(relayed);
            }

            relayed.Close();
        }
    }

    /// <summary>One direction. At the source's end, the end is passed on (a half close); on an error, the pair is closed both ways.</summary>
    private async Task CopyAsync(Socket from, Socket to, Relayed relayed)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token)) > 0)
            {
                int sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stopping.Token);
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            // Reset, closed by Cut, or the relay stopped: the other direction cannot go on either.
            relayed.Close();
        }
    }

    /// <summary>A relayed connection: the accepted client's socket and the one to the target.</summary>
    private sealed class Relayed(Socket client, Socket target)
    {
        /// <summary>Closes both (a FIN to each peer); safe to call more than once and from several threads.</summary>
        public void Close()
        {
            client.Dispose();
            target.Dispose();
        }
    }
}
