namespace FleckChat.Server.Handshake;

/// <summary>
/// Fleck's rule for subprotocols: when both sides name some, the first one the client offers that
/// the server supports wins, and no match at all refuses the connection. When either side names
/// none, no subprotocol is used.
/// </summary>
internal static class SubProtocolNegotiator
{
    /// <returns>The chosen subprotocol, "" for none, or null when the offers cannot be met.</returns>
    public static string? Negotiate(IReadOnlyCollection<string> supported, string offeredHeader)
    {
        var offered = offeredHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (supported.Count == 0 || offered.Length == 0)
        {
            return "";
        }

        foreach (var candidate in offered)
        {
            if (supported.Contains(candidate, StringComparer.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }
}
