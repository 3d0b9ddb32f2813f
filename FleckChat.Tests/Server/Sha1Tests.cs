using System.Security.Cryptography;
using System.Text;
using FleckChat.Server.Handshake;

namespace FleckChat.Tests.Server;

[TestClass]
public sealed class Sha1Tests
{
    private static string Hex(ReadOnlySpan<byte> input)
    {
        Span<byte> hash = stackalloc byte[Sha1.HashSizeInBytes];
        Sha1.HashData(input, hash);
        return Convert.ToHexStringLower(hash);
    }

    [TestMethod]
    [DataRow("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [DataRow("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [DataRow("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void HashData_FipsExamples(string input, string expected) =>
        Assert.AreEqual(expected, Hex(Encoding.ASCII.GetBytes(input)));

    [TestMethod]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "The reference for a SHA-1 test is SHA-1.")]
    public void HashData_EveryLengthAroundTheBlockBoundaries_MatchesDotNet()
    {
        var random = new Random(6455);
        for (int length = 0; length <= 300; length++)
        {
            var input = new byte[length];
            random.NextBytes(input);

            Assert.AreEqual(Convert.ToHexStringLower(SHA1.HashData(input)), Hex(input), $"length {length}");
        }
    }
}
