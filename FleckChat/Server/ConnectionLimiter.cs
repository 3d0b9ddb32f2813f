using System.Net;

namespace FleckChat.Server;

/// <summary>
/// Counts the connections being served, overall and per client address, so a handshake over either
/// limit can be refused with 503. A slot is taken before the 101 answer and given back when the
/// connection ends.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly int _max;
    private readonly int _maxPerAddress;
    private int _total;

    public ConnectionLimiter(int max, int maxPerAddress)
    {
        _max = max;
        _maxPerAddress = maxPerAddress;
    }

    /// <returns>null when a slot was taken, otherwise why not.</returns>
    public string? TryAcquire(IPAddress address)
    {
        address = Normalize(address);
        lock (_gate)
        {
            if (_max > 0 && _total >= _max)
            {
                return $"server full: {_max} connections";
            }

            _perAddress.TryGetValue(address, out int current);
            if (_maxPerAddress > 0 && current >= _maxPerAddress)
            {
                return $"too many connections from {address} (at most {_maxPerAddress})";
            }

            _perAddress[address] = current + 1;
            _total++;
            return null;
        }
    }

    public void Release(IPAddress address)
    {
        address = Normalize(address);
        lock (_gate)
        {
            if (!_perAddress.TryGetValue(address, out int current))
            {
                return;
            }

            if (current <= 1)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = current - 1;
            }

            _total--;
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
