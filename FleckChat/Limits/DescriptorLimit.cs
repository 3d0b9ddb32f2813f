using System.Globalization;

namespace FleckChat.Limits;

/// <summary>
/// The process's limit on open file descriptors (RLIMIT_NOFILE, soft), and the default
/// <c>--max-connections</c> derived from it: every connection is a descriptor, and the runtime needs
/// descriptors of its own (a new thread opens a pipe; the thread pool reads /proc), as do the log
/// files, the listeners and, later, links to other servers. When they run out the runtime cannot
/// start a thread and the process dies, so the default leaves a reserve.
/// </summary>
internal static class DescriptorLimit
{
    /// <summary>Descriptors always kept back, for the runtime and the daemon's own files.</summary>
    public const int FixedReserve = 128;

    /// <summary>... plus one in this many of the limit.</summary>
    public const int ReserveShare = 32;

    /// <summary>Descriptors kept back: a fixed part for the runtime and the daemon's own files, and a share of the limit.</summary>
    private static int Reserve(long limit) => (int)Math.Min(int.MaxValue, FixedReserve + (limit / ReserveShare));

    /// <summary>The soft limit, read from /proc/self/limits; null when it cannot be read or is unlimited.</summary>
    public static long? Current()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>The limit minus the reserve (at least 1); 20,000 when the limit is unknown or unlimited.</summary>
    public static int DefaultMaxConnections(long? limit) =>
        limit is { } l ? (int)Math.Clamp(l - Reserve(l), 1, 10_000_000) : 20_000;
}
