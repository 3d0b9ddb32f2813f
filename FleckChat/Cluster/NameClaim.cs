namespace FleckChat.Cluster;

/// <summary>Who holds a member name across the cluster: the owner token (<c>NODEID/CONNECTIONID</c>), the name as its member spells it, and the member's room.</summary>
internal sealed record NameClaim(string Owner, string Name, string Room);

/// <summary>What <see cref="NameClaims.TransferAsync"/> did.</summary>
internal enum NameTransfer
{
    /// <summary>Someone else holds the name.</summary>
    Taken = 0,

    /// <summary>The previous connection still held it: now the new one does (its member was still present).</summary>
    TakenOver = 1,

    /// <summary>Nobody held it: claimed.</summary>
    Claimed = 2,
}
