namespace FleckChat.Cluster;

/// <summary>What a node does with a room's events, handed on by <see cref="RoomLog"/> in offset order, one at a time.</summary>
internal interface IRoomLogReader
{
    void Read(string room, long offset, ReadOnlyMemory<byte> roomEvent);

    /// <summary>Events <paramref name="from"/> to <paramref name="to"/> (null: everything since) were published but can no longer be read.</summary>
    void Lost(string room, long from, long? to);
}
