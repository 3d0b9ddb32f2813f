namespace FleckChat.Server;

/// <summary>Where an accepted socket stands.</summary>
internal enum SlotState
{
    Handshake = 1,
    Open,
    Refusing,
    Released,
    Shed,
    TimedOut,
}
