using System.Net.Sockets;
using System.Text;

namespace FleckChat.Tests.Support;

/// <summary>
/// Plays systemd's side of sd_notify: a Unix datagram socket whose path goes into the daemon's
/// <c>NOTIFY_SOCKET</c>, recording every notification in order.
/// </summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly object _gate = new();
    private readonly List<string> _messages = [];
    private readonly Socket _socket;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NotifyListener(string address, string bindPath)
    {
        Address = address;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(bindPath));
        _ = ReceiveLoopAsync();
    }

    /// <summary>What to put in NOTIFY_SOCKET.</summary>
    public string Address { get; }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>A socket file (short path: sun_path holds 108 bytes).</summary>
    public static NotifyListener Create()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fc-notify-{Guid.NewGuid():N}.sock");
        return new NotifyListener(path, path);
    }

    /// <summary>An abstract socket, which systemd writes as <c>@name</c>.</summary>
    public static NotifyListener CreateAbstract()
    {
        string name = $"fleckchat-test-{Guid.NewGuid():N}";
        return new NotifyListener("@" + name, "\0" + name);
    }

    /// <summary>The <paramref name="occurrence"/>-th notification that matches (bounded wait).</summary>
    public async Task<string> WaitForAsync(Func<string, bool> predicate, int occurrence = 1)
    {
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var matches = _messages.Where(predicate).ToList();
                if (matches.Count >= occurrence)
                {
                    return matches[occurrence - 1];
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no notification #{occurrence} as expected among: {string.Join(" | ", Messages)}");
            }
        }
    }

    public Task<string> WaitForAsync(string line, int occurrence = 1) => WaitForAsync(m => m.Split('\n').Contains(line), occurrence);

    public void Dispose()
    {
        _socket.Dispose();
        if (!Address.StartsWith('@'))
        {
            File.Delete(Address);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                lock (_gate)
                {
                    _messages.Add(Encoding.UTF8.GetString(buffer, 0, length));
                    var changed = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    changed.TrySetResult();
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException or OperationCanceledException)
        {
            // Disposed: the test is over.
        }
    }
}
