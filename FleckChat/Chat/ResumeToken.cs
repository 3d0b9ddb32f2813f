using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace FleckChat.Chat;

/// <summary>
/// The form of a resume token, on one daemon (<see cref="ResumeTokens"/>) and in a cluster
/// (<c>Cluster.ClusterTokens</c>): <c>ID.SECRET</c>, the id (64 random bits, hex) to find it by and the
/// secret (128 random bits, base64url) compared in constant time, so neither a lookup nor a comparison
/// tells a guesser how close it came.
/// </summary>
internal static class ResumeToken
{
    /// <summary>A new token's id, secret and the token itself.</summary>
    public static (string Id, string Secret, string Token) New()
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        string secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        return (id, secret, id + "." + secret);
    }

    /// <summary>Splits a presented token into its id and secret; false when it is not of the form.</summary>
    public static bool TrySplit(string token, out string id, out string secret)
    {
        int dot = token.IndexOf('.', StringComparison.Ordinal);
        bool ok = dot is > 0 and <= 32;
        id = ok ? token[..dot] : "";
        secret = ok ? token[(dot + 1)..] : "";
        return ok;
    }

    /// <summary>Whether the presented secret is the kept one, in time that does not depend on where they differ.</summary>
    public static bool Matches(string presented, string kept) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(kept));
}
