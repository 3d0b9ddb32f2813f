namespace FleckChat.Server;

/// <summary>What <see cref="ConnectionSlots.Admit"/> decided for an accepted socket.</summary>
/// <param name="Refusal">null: go ahead with the handshake; otherwise the 503's reason.</param>
/// <param name="Shed">Older handshakes that gave their slots up: reset their sockets.</param>
internal sealed record Admission(ConnectionSlots.Slot Slot, string? Refusal, int RetryAfterSeconds, IReadOnlyList<ConnectionSlots.Slot> Shed)
{
    /// <summary>Refused, and too many refusals are being answered already: reset it unanswered.</summary>
    public bool Dropped => Slot.State == SlotState.Shed;
}
