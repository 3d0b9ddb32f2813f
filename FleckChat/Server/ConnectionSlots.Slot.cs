using System.Net.Sockets;

namespace FleckChat.Server;

/// <summary>The slot one accepted socket holds.</summary>
internal sealed partial class ConnectionSlots
{
    /// <summary>One accepted socket's place in the counts.</summary>
    internal sealed class Slot
    {
        public Slot(Socket socket, Address entry, long acceptedAt)
        {
            Socket = socket;
            Entry = entry;
            AcceptedAt = acceptedAt;
        }

        public Socket Socket { get; }

        public long AcceptedAt { get; }

        /// <summary>How the slot ended or where it is; written under the lock, read anywhere.</summary>
        public SlotState State
        {
            get => (SlotState)Volatile.Read(ref _state);
            set => Volatile.Write(ref _state, (int)value);
        }

        internal Address Entry { get; }

        internal LinkedListNode<Slot>? Node { get; set; }

        internal LinkedListNode<Slot>? AddressNode { get; set; }

        private int _state;

        /// <summary>Resets the socket at once (no FIN, no lingering): used for shed and timed-out handshakes.</summary>
        public void Reset()
        {
            try
            {
                Socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }

            Socket.Dispose();
        }
    }
}
