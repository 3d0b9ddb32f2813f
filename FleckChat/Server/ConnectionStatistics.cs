namespace FleckChat.Server;

/// <summary>A snapshot of one connection's counters and, once it has ended, how it ended.</summary>
/// <param name="CloseCode">The close code the connection ended with (sent or received), or null if it broke.</param>
/// <param name="CloseReason">Why the connection ended, in a few words (close reason or error).</param>
internal readonly record struct ConnectionStatistics(
    DateTimeOffset OpenedAt,
    long MessagesIn,
    long MessagesOut,
    long BytesIn,
    long BytesOut,
    int? CloseCode,
    string CloseReason);
