namespace FleckChat.Hosting;

/// <summary>What the process's exit code means.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The daemon could not bind its address (in use, not permitted, not local).</summary>
    public const int CannotListen = 1;

    /// <summary>The command line was wrong: a one-line error was printed.</summary>
    public const int Usage = 2;

    /// <summary>The client could not connect: unreachable, refused, or the WebSocket handshake was refused.</summary>
    public const int CannotConnect = 3;

    /// <summary>The client's connection was closed by the server (other than after /quit) or was lost.</summary>
    public const int ConnectionClosed = 4;
}
