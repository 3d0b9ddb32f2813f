using FleckChat.Limits;

namespace FleckChat.Chat;

/// <summary>The chat's rules and limits. Defaults are what the daemon runs with unless told otherwise.</summary>
internal sealed record ChatOptions
{
    /// <summary>How many past messages a newcomer is shown (0: none).</summary>
    public int HistorySize { get; init; } = 20;

    /// <summary>The longest chat text accepted, in UTF-8 bytes; longer gets an error line and is not relayed.</summary>
    public int MaxTextBytes { get; init; } = 4096;

    /// <summary>Messages a member may send per window (<see cref="RateLimit.Off"/>: no rate limit).</summary>
    public RateLimit RateLimit { get; init; } = RateLimit.PerSeconds(10, 5);

    /// <summary>A member over the rate limit in this many consecutive windows is disconnected (1008; 0: never).</summary>
    public int FloodWindows { get; init; } = 3;

    /// <summary>A member who sends nothing for this long is disconnected (zero: never).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Whether rooms are told when someone joins or leaves.</summary>
    public bool JoinNotices { get; init; } = true;

    /// <summary>After a connection ends without a close frame, how long its member stays present, waiting to be resumed (zero: not at all).</summary>
    public TimeSpan ResumeGrace { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long after its connection ends a resume token still gives the name back and replays what was missed.</summary>
    public TimeSpan ResumeLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Room events each room keeps for reconnecting members to catch up from (<c>?since=ID</c>).</summary>
    public int ReplayEvents { get; init; } = 1000;

    /// <summary>The most rooms that may exist at once (a room exists while it has members; the lobby always).</summary>
    public int MaxRooms { get; init; } = 1000;
}
