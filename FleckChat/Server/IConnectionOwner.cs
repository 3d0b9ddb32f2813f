namespace FleckChat.Server;

/// <summary>Told when a connection has ended, just before its OnClose handler runs.</summary>
internal interface IConnectionOwner
{
    void ConnectionEnded();
}

/// <summary>Keeps track of the sessions a server is serving.</summary>
internal interface ISessionTracker
{
    void Ended(ClientSession session);
}
