using System.Globalization;

namespace FleckChat.Tests.Support;

/// <summary>Which TCP ports a process listens on, read from /proc (its descriptors and the kernel's socket tables).</summary>
internal static class ProcessSockets
{
    private const string Listen = "0A";

    public static IReadOnlyList<int> ListeningPorts(int pid)
    {
        var inodes = new HashSet<string>();
        foreach (var descriptor in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }

        var ports = new List<int>();
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns[3] == Listen && inodes.Contains(columns[9]))
                {
                    ports.Add(int.Parse(columns[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }
}
