namespace FleckChat.Hosting;

/// <summary>
/// Something the daemon was given cannot be used (a certificate, an inherited socket, a systemd
/// variable). Its message is one line naming what is wrong, printed instead of a stack trace.
/// </summary>
internal sealed class StartupException : Exception
{
    public StartupException()
        : this("startup failed")
    {
    }

    public StartupException(string message)
        : this(message, ExitCodes.Usage)
    {
    }

    public StartupException(string message, int exitCode)
        : base(message) => ExitCode = exitCode;

    public StartupException(string message, Exception innerException)
        : base(message, innerException) => ExitCode = ExitCodes.Usage;

    /// <summary><see cref="ExitCodes.Usage"/> for what the admin configured, <see cref="ExitCodes.CannotListen"/> for an unusable listener.</summary>
    public int ExitCode { get; }
}
