using System.Net.Sockets;
using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

/// <summary>One member that never reads must not stall, starve or cost messages to the others.</summary>
[TestClass]
public sealed class SlowConsumerTests
{
    private const int MessageCount = 10_000;
    private const int Window = 64;

    [TestMethod]
    public async Task NeverReads_IsCutOff_OthersReceiveEveryMessageInOrder()
    {
        // No rate limit and no join notices: this test is about the server's queues, not the chat's rules.
        var (server, members) = TestServer.StartChat(chatOptions: new ChatOptions { RateLimit = RateLimit.Off, JoinNotices = false });
        await using (server)
        {
            // The slow member: a small receive buffer so the kernel cannot hide its backlog for long.
            await using var slow = await RawClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
            await slow.HandshakeAsync();

            var (alice, _) = await ChatClient.JoinAsync(server.Uri);
            var (bob, _) = await ChatClient.JoinAsync(server.Uri);
            await using (alice)
            await using (bob)
            {
                // Both readers pace the sender, so a reader starved of CPU on a busy machine is never
                // mistaken for a slow consumer: only the member that never reads may be cut off.
                string filler = new('x', 4000);
                using var aliceWindow = new SemaphoreSlim(Window);
                using var bobWindow = new SemaphoreSlim(Window);
                var aliceReads = ReadAllAsync(alice, "[user1]: ", aliceWindow);
                var bobReads = ReadAllAsync(bob, "[user1]: ", bobWindow);

                for (int i = 0; i < MessageCount; i++)
                {
                    await aliceWindow.WaitAsync().Bounded();
                    await bobWindow.WaitAsync().Bounded();
                    await alice.SendTextAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + filler);
                }

                Assert.AreEqual(MessageCount, await aliceReads.Bounded());
                Assert.AreEqual(MessageCount, await bobReads.Bounded());
                await members.WaitForCountAsync(2);
            }

            Assert.AreEqual(1, server.Server.Metrics.SlowConsumerDisconnects);
            Assert.IsTrue(await slow.WaitForEndOfStreamAsync());
        }
    }

    /// <summary>Reads relayed lines from user1 and checks they arrive numbered 0, 1, 2, ... with none missing.</summary>
    private static async Task<int> ReadAllAsync(ChatClient client, string prefix, SemaphoreSlim window)
    {
        int expected = 0;
        while (expected < MessageCount)
        {
            string line = await client.ReceiveTextAsync();
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            int number = int.Parse(line.AsSpan(prefix.Length, line.IndexOf(' ', prefix.Length) - prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
            Assert.AreEqual(expected, number, "lost or reordered message");
            expected++;
            window.Release();
        }

        return expected;
    }
}
