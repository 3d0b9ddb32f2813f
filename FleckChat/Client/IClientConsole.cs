using System.Threading.Channels;

namespace FleckChat.Client;

/// <summary>The client's terminal side: the lines to send, and where what arrives is shown.</summary>
internal interface IClientConsole
{
    /// <summary>Lines typed or piped in, in order; completes when input ends (Ctrl-D, end of the pipe).</summary>
    ChannelReader<string> Lines { get; }

    /// <summary>Shows one message from the server.</summary>
    void ShowIncoming(string text);

    /// <summary>Shows a note of the client's own (only where a person is watching).</summary>
    void ShowInfo(string text);

    /// <summary>Leaves the terminal tidy before the client prints its last word and exits.</summary>
    void Finish();
}
