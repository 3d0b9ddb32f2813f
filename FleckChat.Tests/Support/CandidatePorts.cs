using System.Globalization;
using System.Net;

namespace FleckChat.Tests.Support;

/// <summary>
/// Ports for servers that cannot listen on port 0 and say which port they got (redis-server,
/// haproxy). Probing a port by binding and releasing it races with everything else on the machine,
/// so the real server tries a random candidate itself, and when it exits saying the address is in
/// use, the next candidate is tried. Candidates lie outside the kernel's ephemeral range, from which
/// port 0 listeners and outgoing connections draw, so no socket of ours or another test's takes one
/// of them behind our back.
/// </summary>
internal static class CandidatePorts
{
    /// <summary>Below it live registered services (PostgreSQL, Redis's own 6379, 8080...): fewer collisions above.</summary>
    private const int Lowest = 10000;

    private const int Attempts = 20;

    /// <summary>The kernel's ephemeral range (net.ipv4.ip_local_port_range).</summary>
    public static (int Low, int High) EphemeralRange { get; } = ReadEphemeralRange();

    /// <summary>Starts a server on the first candidate port it can bind.</summary>
    /// <param name="tryStart">Starts the server on a port; null when that port (or its companion) is in use.</param>
    /// <param name="companionOffset">
    /// A second port the server binds at this distance (a Redis Cluster node's bus: port + 10000),
    /// which must lie outside the ephemeral range too.
    /// </param>
    /// <param name="first">A port to try before the random ones (for tests of the retry itself).</param>
    public static async Task<T> StartAsync<T>(Func<int, Task<T?>> tryStart, int companionOffset = 0, int? first = null)
        where T : class
    {
        var tried = new List<int>();
        foreach (int port in Candidates(companionOffset, first).Take(Attempts))
        {
            if (await tryStart(port) is { } started)
            {
                return started;
            }

            tried.Add(port);
        }

        throw new InvalidOperationException($"every candidate port was in use: {string.Join(", ", tried)}");
    }

    public static bool IsOutsideEphemeralRange(int port) => port < EphemeralRange.Low || port > EphemeralRange.High;

    private static IEnumerable<int> Candidates(int companionOffset, int? first)
    {
        if (first is { } port)
        {
            yield return port;
        }

        int[] usable = [.. Enumerable.Range(Lowest, IPEndPoint.MaxPort - companionOffset - Lowest + 1)
            .Where(p => IsOutsideEphemeralRange(p) && IsOutsideEphemeralRange(p + companionOffset))];
        if (usable.Length == 0)
        {
            throw new InvalidOperationException(
                $"no port from {Lowest} up lies outside the ephemeral range {EphemeralRange.Low}-{EphemeralRange.High} (with +{companionOffset})");
        }

        while (true)
        {
            yield return usable[Random.Shared.Next(usable.Length)];
        }
    }

    private static (int Low, int High) ReadEphemeralRange()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        string[] bounds = File.Exists(path)
            ? File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            : ["32768", "60999"]; // Linux's default
        return (int.Parse(bounds[0], CultureInfo.InvariantCulture), int.Parse(bounds[1], CultureInfo.InvariantCulture));
    }
}
