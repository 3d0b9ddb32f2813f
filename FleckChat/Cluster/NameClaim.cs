namespace FleckChat.Cluster;

/// <summary>Who holds a member name across the cluster: the owner token (<c>NODEID/CONNECTIONID</c>), the name as its member spells it, and the member's room.</summary>
internal sealed record NameClaim(string Owner, string Name, string Room);
