using System.Globalization;

namespace FleckChat.Hosting.Systemd;

/// <summary>
/// The watchdog timeout systemd set with <c>WatchdogSec=</c>: <c>WATCHDOG_USEC</c>, when meant for this
/// process (<c>WATCHDOG_PID</c> absent or ours), as sd_watchdog_enabled(3) decides.
/// </summary>
internal static class Watchdog
{
    /// <returns>The timeout, or null when no watchdog watches this process.</returns>
    /// <exception cref="StartupException">A variable is set but is not a number.</exception>
    public static TimeSpan? TimeoutFromEnvironment(Func<string, string?> getEnvironment, int processId)
    {
        string? usec = getEnvironment("WATCHDOG_USEC");
        if (string.IsNullOrEmpty(usec))
        {
            return null;
        }

        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long microseconds) || microseconds <= 0)
        {
            throw new StartupException($"WATCHDOG_USEC: '{usec}' is not a positive number of microseconds");
        }

        string? pid = getEnvironment("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid))
        {
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int watchedPid))
            {
                throw new StartupException($"WATCHDOG_PID: '{pid}' is not a process id");
            }

            if (watchedPid != processId)
            {
                return null;
            }
        }

        return TimeSpan.FromMicroseconds(microseconds);
    }
}
