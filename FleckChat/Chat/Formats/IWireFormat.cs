using FleckChat.Chat.Events;
using FleckChat.Server;

namespace FleckChat.Chat.Formats;

/// <summary>How events look on the wire for one kind of client.</summary>
internal interface IWireFormat
{
    /// <summary>One WebSocket message for a room event; rendered once and shared by every member using this format.</summary>
    OutboundMessage Render(ChatEvent chatEvent);

    /// <summary>All WebSocket messages for an event sent to one member (history may be several lines).</summary>
    IEnumerable<OutboundMessage> RenderPrivate(ChatEvent chatEvent);

    /// <summary>Turns what a client sent into chat input.</summary>
    ClientInput Parse(string received);
}

/// <summary>What a client asked for: to say <see cref="Text"/>, to run the command in it, or nothing valid (with why).</summary>
internal readonly record struct ClientInput(ClientInputKind Kind, string Text);

internal enum ClientInputKind
{
    Message,
    Command,
    Invalid,
}
