namespace FleckChat.Server;

/// <summary>The connection is closed, closing, or was cut off, so the message was not sent.</summary>
internal sealed class ConnectionNotAvailableException : Exception
{
    public ConnectionNotAvailableException()
        : base("The WebSocket connection is not available.")
    {
    }

    public ConnectionNotAvailableException(string message)
        : base(message)
    {
    }

    public ConnectionNotAvailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
