using System.Diagnostics;
using System.Globalization;

namespace FleckChat.Hosting.Metrics;

/// <summary>
/// The standard <c>process_*</c> figures every Prometheus client exposes, read from the kernel when
/// scraped: CPU time, memory and start time through <see cref="Process"/> (which reads /proc/self),
/// open and allowed file descriptors straight from /proc/self/fd and /proc/self/limits.
/// </summary>
internal static class ProcessMetrics
{
    private const string FdDirectory = "/proc/self/fd";
    private const string LimitsFile = "/proc/self/limits";

    public static MetricsRegistry AddProcessMetrics(this MetricsRegistry registry) => registry
        .Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
            () => Read(p => p.TotalProcessorTime.TotalSeconds))
        .Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", () => Read(p => p.WorkingSet64))
        .Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", () => Read(p => p.VirtualMemorySize64))
        .Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", () => StartTimeSeconds)
        .Gauge("process_open_fds", "Number of open file descriptors.", OpenFileDescriptors)
        .Gauge("process_max_fds", "Maximum number of open file descriptors.", MaxFileDescriptors);

    /// <summary>Fixed for the life of the process, so read once.</summary>
    private static double StartTimeSeconds { get; } = Read(p => new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);

    private static double Read(Func<Process, double> figure)
    {
        using var process = Process.GetCurrentProcess();
        return figure(process);
    }

    /// <summary>
    /// The entries of /proc/self/fd. Listing the directory opens one descriptor for the listing
    /// itself, which is counted too (as other Prometheus clients do); NaN where /proc is missing.
    /// </summary>
    public static double OpenFileDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(FdDirectory).Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    /// <summary>The soft limit from the "Max open files" line of /proc/self/limits; NaN where unknown.</summary>
    public static double MaxFileDescriptors()
    {
        try
        {
            foreach (var line in File.ReadLines(LimitsFile))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return soft == "unlimited" ? double.PositiveInfinity : double.Parse(soft, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return double.NaN;
    }
}
