using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FleckChat.Tests.Support;

/// <summary>
/// Starts a command the way systemd starts a socket-activated service: with a listening socket on
/// 127.0.0.1 as file descriptor 3, <c>LISTEN_FDS=1</c> and <c>LISTEN_PID</c> its own id. The test
/// binds that socket on port 0 and reads the port back, so no free port is ever guessed (a port
/// found free and released can be taken by someone else before the child binds it).
/// <c>systemd-socket-activate</c> reads these variables too, passes the socket on and binds nothing.
/// </summary>
internal static class SocketActivated
{
    // Puts the socket at descriptor 3 and names the shell's own id, which exec keeps for the command.
    // bash, not sh: dash redirects only descriptors 0 to 9.
    private const string HandOver = """exec 3<&"$0"; LISTEN_PID=$$ LISTEN_FDS=1 exec "$@" """;

    public static (DaemonProcess Process, int Port) Start(string fileName, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null, string? workingDirectory = null, bool onlyGivenEnvironment = false)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(128);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        // .NET opens sockets close-on-exec; dup(2) gives a descriptor without that flag, which the
        // child inherits. Until it is closed below, a child another test starts at the same moment
        // inherits it too: harmless, as that child never accepts on it.
        int inheritable = Dup(checked((int)listener.Handle));
        if (inheritable < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        using var inherited = new SafeSocketHandle(inheritable, ownsHandle: true);
        var process = DaemonProcess.StartCommand("/bin/bash",
            ["-c", HandOver, inheritable.ToString(CultureInfo.InvariantCulture), fileName, .. arguments],
            environment, workingDirectory, onlyGivenEnvironment);
        return (process, port);
    }

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int descriptor);
}
