using FleckChat.Chat;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>The seed chat over real WebSockets on 127.0.0.1.</summary>
[TestClass]
public sealed class ChatEndToEndTests
{
    [TestMethod]
    public async Task ThreeClients_GreetedAndEveryLineRelayedToAll()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (a, greetingA) = await ChatClient.JoinAsync(server.Uri);
            var (b, greetingB) = await ChatClient.JoinAsync(server.Uri);
            var (c, greetingC) = await ChatClient.JoinAsync(server.Uri);
            await using (a)
            await using (b)
            await using (c)
            {
                Assert.AreEqual("You are connected! There are 1 users here.", greetingA);
                Assert.AreEqual("You are connected! There are 2 users here.", greetingB);
                Assert.AreEqual("You are connected! There are 3 users here.", greetingC);
                Assert.AreEqual("* user1 joined", await a.ReceiveTextAsync());
                Assert.AreEqual("* user2 joined", await a.ReceiveTextAsync());
                Assert.AreEqual("* user2 joined", await b.ReceiveTextAsync());

                await b.SendTextAsync("hello");

                foreach (var client in new[] { a, b, c })
                {
                    Assert.AreEqual("[user1]: hello", await client.ReceiveTextAsync());
                }
            }
        }
    }

    [TestMethod]
    public async Task Clients_GetDistinctGeneratedNames()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (a, _) = await ChatClient.JoinAsync(server.Uri);
            var (b, _) = await ChatClient.JoinAsync(server.Uri);
            await using (a)
            await using (b)
            {
                Assert.AreEqual("* user1 joined", await a.ReceiveTextAsync());
                await a.SendTextAsync("from a");
                Assert.AreEqual("[user0]: from a", await a.ReceiveTextAsync());
                await b.SendTextAsync("from b");
                Assert.AreEqual("[user0]: from a", await b.ReceiveTextAsync());
                Assert.AreEqual("[user1]: from b", await b.ReceiveTextAsync());
            }
        }
    }

    [TestMethod]
    public async Task Leave_NextGreetingCountsOneFewer()
    {
        var (server, members) = TestServer.StartChat();
        await using (server)
        {
            var (a, _) = await ChatClient.JoinAsync(server.Uri);
            var (b, _) = await ChatClient.JoinAsync(server.Uri);
            await using (a)
            {
                await b.CloseAsync();
                await b.DisposeAsync();
                await members.WaitForCountAsync(1);

                var (c, greeting) = await ChatClient.JoinAsync(server.Uri);
                await using (c)
                {
                    Assert.AreEqual("You are connected! There are 2 users here.", greeting);
                }
            }
        }
    }

    [TestMethod]
    public async Task BrokenConnection_LeavesTheRoom()
    {
        var (server, members) = TestServer.StartChat();
        await using (server)
        {
            var (a, _) = await ChatClient.JoinAsync(server.Uri);
            await using var broken = await RawClient.ConnectAsync(server.Port);
            await broken.HandshakeAsync();
            await members.WaitForCountAsync(2);

            await broken.DisposeAsync();

            await members.WaitForCountAsync(1);
            await a.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task Binary_IsSkipped_TextStillRelayed()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (a, _) = await ChatClient.JoinAsync(server.Uri);
            await using (a)
            {
                await a.SendBinaryAsync([1, 2, 3]);
                await a.SendTextAsync("after binary");

                Assert.AreEqual("[user0]: after binary", await a.ReceiveTextAsync());
            }
        }
    }
}
