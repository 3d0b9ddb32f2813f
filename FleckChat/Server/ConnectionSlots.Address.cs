namespace FleckChat.Server;

/// <summary>What the slots keep per client address.</summary>
internal sealed partial class ConnectionSlots
{
    /// <summary>What one client address holds: its sockets, its handshakes in accept order, and its connection bucket.</summary>
    internal sealed class Address
    {
        private double _tokens;
        private long _refilledAt;

        public Address(int burst, long now)
        {
            _tokens = burst;
            _refilledAt = now;
        }

        public LinkedList<Slot> Handshakes { get; } = new();

        public int Total { get; set; }

        public int Refusing { get; set; }

        public bool TryTakeToken(SlotLimits limits, TimeProvider time, long now, out int retryAfterSeconds)
        {
            retryAfterSeconds = 0;
            if (limits.ConnectBurst <= 0)
            {
                return true;
            }

            Refill(limits, time, now);
            if (_tokens >= 1)
            {
                _tokens--;
                return true;
            }

            retryAfterSeconds = (int)Math.Ceiling((1 - _tokens) / limits.ConnectTokensPerSecond);
            return false;
        }

        public bool IsIdle(SlotLimits limits, TimeProvider time, long now)
        {
            if (Total > 0 || Refusing > 0)
            {
                return false;
            }

            Refill(limits, time, now);
            return limits.ConnectBurst <= 0 || _tokens >= limits.ConnectBurst;
        }

        private void Refill(SlotLimits limits, TimeProvider time, long now)
        {
            _tokens = Math.Min(limits.ConnectBurst, _tokens + time.GetElapsedTime(_refilledAt, now).TotalSeconds * limits.ConnectTokensPerSecond);
            _refilledAt = now;
        }
    }
}
