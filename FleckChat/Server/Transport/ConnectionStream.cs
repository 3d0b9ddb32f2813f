using System.Runtime.CompilerServices;

namespace FleckChat.Server.Transport;

/// <summary>
/// The stream a server-side WebSocket runs over. .NET's WebSocket reads from it and writes its own
/// control frames (pongs, close frames) to it; our data frames skip the WebSocket and go straight
/// into the outbox (ConnectionStream.Outbox.cs). The read side, here:
/// <list type="bullet">
/// <item>replays the bytes a client sent right after its handshake (they were read with the request head);</item>
/// <item>shows every byte read to a <see cref="FrameObserver"/> (oversized messages, bad close reasons)
/// and, when it asks, holds those bytes back until our close frame has gone out;</item>
/// <item>notes when bytes last arrived, for keep-alive.</item>
/// </list>
/// </summary>
internal sealed partial class ConnectionStream : AsyncOnlyStream
{
    private readonly Stream _inner;
    private readonly WebSocketConnection _connection;
    private readonly ServerSettings _settings;
    private readonly FrameObserver _observer;
    private byte[]? _prefix;
    private int _prefixOffset;
    private long _lastReceived;

    public ConnectionStream(Stream inner, byte[] prefix, WebSocketConnection connection, ServerSettings settings)
    {
        _inner = inner;
        _prefix = prefix.Length > 0 ? prefix : null;
        _connection = connection;
        _settings = settings;
        _observer = new FrameObserver(connection, settings.Options.MaxMessageBytes);
        _lastReceived = settings.Time.GetTimestamp();
    }

    /// <summary>When bytes last arrived from the peer (a <see cref="TimeProvider"/> timestamp), for keep-alive.</summary>
    public long LastReceived => Volatile.Read(ref _lastReceived);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix is not null)
        {
            return ReadPrefix(buffer.Span);
        }

        // The WebSocket waits for an idle peer with a zero-byte read: pass it straight down, so that
        // while a connection is idle nothing of ours (no state machine, no buffer) is held for it.
        return buffer.IsEmpty ? _inner.ReadAsync(buffer, cancellationToken) : ReadAndObserveAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAndObserveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            Volatile.Write(ref _lastReceived, _settings.Time.GetTimestamp());
            if (_observer.Observe(buffer.Span[..read]) is { } first)
            {
                await first.ConfigureAwait(false);
            }
        }

        return read;
    }

    private ValueTask<int> ReadPrefix(Span<byte> destination)
    {
        var prefix = _prefix!;
        int read = Math.Min(destination.Length, prefix.Length - _prefixOffset);
        prefix.AsSpan(_prefixOffset, read).CopyTo(destination);
        var first = _observer.Observe(prefix.AsSpan(_prefixOffset, read));
        _prefixOffset += read;
        if (_prefixOffset == prefix.Length)
        {
            _prefix = null;
        }

        return first is null ? new ValueTask<int>(read) : AfterAsync(first, read);
    }

    private static async ValueTask<int> AfterAsync(Task first, int read)
    {
        await first.ConfigureAwait(false);
        return read;
    }
}
