using System.Buffers;
using System.Runtime.CompilerServices;

namespace FleckChat.Server.Handshake;

/// <summary>
/// Reads an HTTP request head (up to and including the empty line) from a fresh connection, into
/// a pooled buffer that is returned as soon as the head is parsed: a connection that has finished
/// its handshake holds no read buffer of ours.
/// </summary>
internal static class RequestHeadReader
{
    private const int InitialBufferSize = 4096;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<RequestHead> ReadAsync(Stream stream, int maxHeadBytes, CancellationToken cancellationToken)
    {
        // The head may be maxHeadBytes long plus the final CRLFCRLF; we never read past that.
        int limit = maxHeadBytes + 4;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, limit));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(buffer, length, limit);
                }

                int read = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return RequestHead.Closed;
                }

                if (length == 0 && HttpRequestParser.CannotStartRequest(buffer[0]) is { } notHttp)
                {
                    // Answered at once: waiting for an end of head that will never come only holds the connection.
                    return RequestHead.Rejected(HandshakeRejection.BadRequest(notHttp));
                }

                int searchFrom = Math.Max(0, length - 3);
                length += read;
                int end = buffer.AsSpan(searchFrom, length - searchFrom).IndexOf("\r\n\r\n"u8);
                if (end >= 0 && end + searchFrom <= maxHeadBytes)
                {
                    end += searchFrom;
                    return Parse(buffer.AsSpan(0, end), buffer.AsSpan(end + 4, length - end - 4));
                }

                if (end >= 0 || length >= limit)
                {
                    return RequestHead.Rejected(new HandshakeRejection(431, $"request head larger than {maxHeadBytes} bytes"));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int length, int limit)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private static RequestHead Parse(ReadOnlySpan<byte> head, ReadOnlySpan<byte> leftover)
    {
        if (!HttpRequestParser.TryParse(head, out var request, out var error))
        {
            return RequestHead.Rejected(HandshakeRejection.BadRequest(error));
        }

        return new RequestHead(request, null, leftover.ToArray(), IsClosed: false);
    }
}

/// <summary>What <see cref="RequestHeadReader"/> found: a request (with any bytes the client sent after it), a rejection, or a closed connection.</summary>
internal sealed record RequestHead(HttpRequest? Request, HandshakeRejection? Rejection, byte[] Leftover, bool IsClosed)
{
    public static RequestHead Closed { get; } = new(null, null, [], IsClosed: true);

    public static RequestHead Rejected(HandshakeRejection rejection) => new(null, rejection, [], IsClosed: false);
}
