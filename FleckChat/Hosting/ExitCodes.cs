namespace FleckChat.Hosting;

/// <summary>What the process's exit code means.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The daemon could not bind its address (in use, not permitted, not local).</summary>
    public const int CannotListen = 1;

    /// <summary>The command line was wrong: a one-line error was printed.</summary>
    public const int Usage = 2;
}
