using FleckChat.Hosting;
using FleckChat.Hosting.Systemd;

namespace FleckChat.Tests.Hosting.Systemd;

[TestClass]
public sealed class WatchdogTests
{
    private const int OurPid = 4242;

    [TestMethod]
    public void TimeoutFromEnvironment_NoVariable_NoWatchdog()
    {
        Assert.IsNull(Watchdog.TimeoutFromEnvironment(_ => null, OurPid));
    }

    [TestMethod]
    public void TimeoutFromEnvironment_UsecWithoutPid_IsTheTimeout()
    {
        var timeout = Watchdog.TimeoutFromEnvironment(Variables("30000000", null), OurPid);

        Assert.AreEqual(TimeSpan.FromSeconds(30), timeout);
    }

    [TestMethod]
    public void TimeoutFromEnvironment_PidIsOurs_IsTheTimeout()
    {
        Assert.AreEqual(TimeSpan.FromMilliseconds(500), Watchdog.TimeoutFromEnvironment(Variables("500000", "4242"), OurPid));
    }

    [TestMethod]
    public void TimeoutFromEnvironment_PidIsAnotherProcess_NoWatchdog()
    {
        Assert.IsNull(Watchdog.TimeoutFromEnvironment(Variables("500000", "1"), OurPid));
    }

    [TestMethod]
    [DataRow("abc")]
    [DataRow("0")]
    [DataRow("-5")]
    public void TimeoutFromEnvironment_NotAPositiveNumber_NamesTheVariable(string usec)
    {
        var ex = Assert.ThrowsExactly<StartupException>(() => Watchdog.TimeoutFromEnvironment(Variables(usec, null), OurPid));

        Assert.StartsWith("WATCHDOG_USEC: ", ex.Message);
    }

    private static Func<string, string?> Variables(string? usec, string? pid) => name => name switch
    {
        "WATCHDOG_USEC" => usec,
        "WATCHDOG_PID" => pid,
        _ => null,
    };
}
