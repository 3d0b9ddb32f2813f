namespace FleckChat.Server;

/// <summary>The caps <see cref="ConnectionSlots"/> enforces; 0 turns one off.</summary>
internal sealed record SlotLimits(int Max, int MaxPerAddress, int MaxHandshakes, int MaxHandshakesPerAddress, int ConnectBurst, double ConnectTokensPerSecond)
{
    public static SlotLimits From(WebSocketServerOptions options) => new(
        options.MaxConnections, options.MaxConnectionsPerIp, options.MaxHandshakes, options.MaxHandshakesPerIp,
        options.ConnectRatePerIp.Count, options.ConnectRatePerIp.PerSecond);
}
