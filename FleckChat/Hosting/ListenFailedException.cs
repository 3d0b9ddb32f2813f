using System.Net.Sockets;

namespace FleckChat.Hosting;

/// <summary>An address the daemon was told to listen on (other than the chat endpoint) cannot be used.</summary>
internal sealed class ListenFailedException : Exception
{
    public ListenFailedException(string endpoint, SocketException inner)
        : base($"Cannot listen on {endpoint}: {inner.Message}", inner)
    {
        Endpoint = endpoint;
        Reason = inner.Message;
    }

    public string Endpoint { get; }

    public string Reason { get; }
}
