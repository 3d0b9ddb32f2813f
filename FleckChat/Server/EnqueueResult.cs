namespace FleckChat.Server;

/// <summary>What happened to a message offered to a send loop.</summary>
internal enum EnqueueResult
{
    Queued,
    Overflow,
    Closed,
}
