namespace FleckChat.Client;

/// <summary>How the client's connection ended: the server's close code and reason, or what broke it.</summary>
internal sealed record ClientEnding(int? CloseCode, string CloseReason, string? Error)
{
    public static ClientEnding Broken(string error) => new(null, "", error);

    /// <summary>The one line the client prints when it did not expect the end.</summary>
    public string Describe() => Error is not null
        ? $"connection lost: {Error}"
        : $"the server closed the connection: {CloseCode}{(CloseReason.Length > 0 ? " " + CloseReason : "")}";
}
