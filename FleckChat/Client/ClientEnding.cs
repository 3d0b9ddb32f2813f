namespace FleckChat.Client;

/// <summary>How the client's connection ended: the server's close code and reason, or what broke it.</summary>
internal sealed record ClientEnding(int? CloseCode, string CloseReason, string? Error)
{
    /// <summary>
    /// An end worth reconnecting after: the connection broke (1006: no close frame), or the server
    /// had an error (1011), is restarting (1012) or is overloaded (1013). Every other close is final:
    /// 1000, 1001 shutting down, 1008 policy, 4000 resumed elsewhere, 1002/1007/1009 a broken client.
    /// </summary>
    public bool CanResume => Error is not null || CloseCode is 1001 or 1006 or 1011 or 1012 or 1013;

    public static ClientEnding Broken(string error) => new(null, "", error);

    /// <summary>The one line the client prints when it did not expect the end.</summary>
    public string Describe() => Error is not null
        ? $"connection lost: {Error}"
        : $"the server closed the connection: {CloseCode}{(CloseReason.Length > 0 ? " " + CloseReason : "")}";
}
