using FleckChat.Hosting;
using FleckChat.Hosting.Systemd;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Systemd;

[TestClass]
public sealed class NotifySocketTests
{
    [TestMethod]
    public void FromEnvironment_NoNotifySocket_ReturnsNull()
    {
        Assert.IsNull(NotifySocket.FromEnvironment(_ => null));
    }

    [TestMethod]
    public void FromEnvironment_RelativePath_NamesTheVariable()
    {
        var ex = Assert.ThrowsExactly<StartupException>(() => NotifySocket.FromEnvironment(_ => "run/notify"));

        Assert.StartsWith("NOTIFY_SOCKET: ", ex.Message);
    }

    [TestMethod]
    public async Task Send_SocketPath_DeliversTheDatagram()
    {
        using var listener = NotifyListener.Create();
        using var socket = NotifySocket.FromEnvironment(name => name == "NOTIFY_SOCKET" ? listener.Address : null)!;

        socket.Send("READY=1\nSTATUS=ok");

        Assert.AreEqual("READY=1\nSTATUS=ok", await listener.WaitForAsync("READY=1"));
    }

    [TestMethod]
    public async Task Send_AbstractName_DeliversTheDatagram()
    {
        using var listener = NotifyListener.CreateAbstract();
        using var socket = NotifySocket.FromEnvironment(name => name == "NOTIFY_SOCKET" ? listener.Address : null)!;

        socket.Send("WATCHDOG=1");

        await listener.WaitForAsync("WATCHDOG=1");
    }

    [TestMethod]
    public void Notifier_ListenerGone_LogsAndCarriesOn()
    {
        var listener = NotifyListener.Create();
        using var socket = NotifySocket.FromEnvironment(name => name == "NOTIFY_SOCKET" ? listener.Address : null)!;
        listener.Dispose();
        using var notifier = new SystemdNotifier(socket, Serilog.Core.Logger.None);

        notifier.Ready("status");
        notifier.Watchdog();

        Assert.IsTrue(notifier.IsEnabled);
    }
}
