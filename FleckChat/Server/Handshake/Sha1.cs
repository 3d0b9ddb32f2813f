using System.Buffers.Binary;
using System.Numerics;

namespace FleckChat.Server.Handshake;

/// <summary>
/// SHA-1 (FIPS 180-4), for the one place RFC 6455 uses it: <c>Sec-WebSocket-Accept</c>, a checksum
/// that proves the server read the key, not a security measure. .NET's SHA-1 on Linux is OpenSSL's,
/// and loading libcrypto only for this costs an idle daemon megabytes of memory (docs/performance.md,
/// "Footprint"); this costs nothing. The tests check it against .NET's implementation.
/// </summary>
internal static class Sha1
{
    public const int HashSizeInBytes = 20;

    public static void HashData(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        Span<uint> h = [0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u];
        Span<uint> w = stackalloc uint[80];
        Span<byte> tail = stackalloc byte[128];

        int whole = message.Length / 64 * 64;
        for (int offset = 0; offset < whole; offset += 64)
        {
            Block(message.Slice(offset, 64), h, w);
        }

        // The padding: 0x80, zeros, then the message length in bits (big-endian), in one or two blocks.
        int rest = message.Length - whole;
        message[whole..].CopyTo(tail);
        tail[rest..].Clear();
        tail[rest] = 0x80;
        int tailLength = rest < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(tailLength - 8), (ulong)message.Length * 8);
        for (int offset = 0; offset < tailLength; offset += 64)
        {
            Block(tail.Slice(offset, 64), h, w);
        }

        for (int i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(i * 4), h[i]);
        }
    }

    private static void Block(ReadOnlySpan<byte> block, Span<uint> h, Span<uint> w)
    {
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4));
        }

        for (int t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }

        uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int t = 0; t < 80; t++)
        {
            (uint f, uint k) = t switch
            {
                < 20 => ((b & c) | (~b & d), 0x5A827999u),
                < 40 => (b ^ c ^ d, 0x6ED9EBA1u),
                < 60 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDCu),
                _ => (b ^ c ^ d, 0xCA62C1D6u),
            };
            uint temp = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = temp;
        }

        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
}
