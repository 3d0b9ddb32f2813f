using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>Connect-and-reset churn into one room over real sockets: what a member watching the room gets.</summary>
[TestClass]
public sealed partial class ChurnEndToEndTests
{
    private const int Cycles = 300;

    [TestMethod]
    public async Task ConnectAndReset_HundredsOfCycles_WatcherGetsFewLinesAndASummary()
    {
        using var log = new CollectedLog();
        var (server, _) = TestServer.StartChat(chatLog: log.Logger);
        await using (server)
        {
            var (watcher, _) = await ChatClient.JoinAsync(server.Uri);
            await using (watcher)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < Cycles; i++)
                {
                    await ConnectAndResetAsync(server.Port);
                }

                // Every join and leave is in the watcher's lines, one by one or counted in a summary.
                int joined = 0, left = 0, lines = 0, summaries = 0;
                while (joined < Cycles || left < Cycles)
                {
                    string line = await watcher.ReceiveTextAsync();
                    lines++;
                    if (SummaryLine().Match(line) is { Success: true } summary)
                    {
                        summaries++;
                        joined += Count(summary.Groups["joined"]);
                        left += Count(summary.Groups["left"]);
                    }
                    else if (IndividualLine().Match(line) is { Success: true } notice)
                    {
                        if (notice.Groups["what"].Value == "joined")
                        {
                            joined++;
                        }
                        else
                        {
                            left++;
                        }
                    }
                    else
                    {
                        Assert.Fail($"unexpected line: {line}");
                    }
                }

                // At most five notices and a summary per second of churn (and the second the last summary closes).
                int seconds = (int)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1;
                Assert.AreEqual(Cycles, joined);
                Assert.AreEqual(Cycles, left);
                Assert.IsGreaterThan(0, summaries);
                Assert.IsLessThanOrEqualTo(6 * seconds, lines, $"{lines} lines in {seconds} s");
                Assert.IsLessThan(Cycles / 4, lines);
            }
        }

        server.Chat!.Dispose();
        int logged = log.Events.Count(e => e.MessageTemplate.Text.StartsWith("{Name} joined", StringComparison.Ordinal) ||
            e.MessageTemplate.Text.StartsWith("{Name} left", StringComparison.Ordinal));
        Assert.IsLessThan(Cycles, logged);
        Assert.IsNotEmpty(log.Matching("Suppressed {Suppressed} "));
    }

    private static int Count(Group group) => group.Success ? int.Parse(group.Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>Joins (the greeting proves it) and resets the connection instead of closing it, as the attack run did.</summary>
    private static async Task ConnectAndResetAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).Bounded();
        await socket.SendAsync(Encoding.ASCII.GetBytes(RawClient.UpgradeRequest())).Bounded();
        var buffer = new byte[4096];
        int read = 0;
        while (!Encoding.Latin1.GetString(buffer, 0, read).Contains("users here.", StringComparison.Ordinal))
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read)).AsTask().Bounded();
            Assert.AreNotEqual(0, n, "closed before the greeting");
            read += n;
        }

        socket.LingerState = new LingerOption(true, 0);
    }

    [GeneratedRegex(@"^\* (?:(?<joined>\d+) members? joined(?: and (?<left>\d+) left)?|(?<left>\d+) members? left) in the last second$")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"^\* user\d+ (?<what>joined|left)$")]
    private static partial Regex IndividualLine();
}
