using System.Globalization;
using System.Net.Sockets;

namespace FleckChat.Hosting.Systemd;

/// <summary>
/// Socket activation as in sd_listen_fds(3): when <c>LISTEN_PID</c> is this process and
/// <c>LISTEN_FDS</c> is 1, the listening TCP socket is file descriptor 3, bound by systemd (a
/// <c>.socket</c> unit) or by <c>systemd-socket-activate</c>, and the daemon serves on it instead of
/// binding its own.
/// </summary>
internal static class SocketActivation
{
    private const int FirstDescriptor = 3; // SD_LISTEN_FDS_START
    private static readonly string[] Variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

    /// <returns>The inherited listening socket, or null when nothing was passed to this process.</returns>
    /// <exception cref="StartupException">Something was passed, but not one listening TCP socket.</exception>
    public static Socket? TakeListener(Func<string, string?> getEnvironment, int processId)
    {
        string? pid = getEnvironment("LISTEN_PID");
        string? fds = getEnvironment("LISTEN_FDS");
        if (string.IsNullOrEmpty(pid) || string.IsNullOrEmpty(fds) ||
            !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int listenPid) || listenPid != processId)
        {
            // Not for us (set for a parent, say): sd_listen_fds ignores it too.
            return null;
        }

        // Like sd_listen_fds(unset_environment: true): children must not think the sockets are theirs.
        foreach (string name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        if (!int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new StartupException($"LISTEN_FDS: '{fds}' is not a number of sockets", ExitCodes.CannotListen);
        }

        return count switch
        {
            0 => null,
            1 => Adopt(FirstDescriptor),
            _ => throw new StartupException(
                $"LISTEN_FDS: systemd passed {count} sockets; FleckChat serves one (give fleckchat.socket one ListenStream=)", ExitCodes.CannotListen),
        };
    }

    private static Socket Adopt(int descriptor)
    {
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(descriptor, ownsHandle: true));
        }
        catch (SocketException ex)
        {
            throw new StartupException($"LISTEN_FDS: file descriptor {descriptor} is not a socket ({ex.SocketErrorCode})", ExitCodes.CannotListen);
        }

        bool isTcp = socket.SocketType == SocketType.Stream &&
                     socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
        bool listening = isTcp && socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection) is int and not 0;
        if (!listening)
        {
            string what = $"{socket.AddressFamily} {socket.SocketType}";
            socket.Dispose();
            throw new StartupException(
                $"LISTEN_FDS: the inherited socket ({what}) is not a listening TCP socket (use ListenStream=PORT or ADDRESS:PORT with Accept=no)",
                ExitCodes.CannotListen);
        }

        return socket;
    }
}
