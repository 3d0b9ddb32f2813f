using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

[TestClass]
public sealed class RoomTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { RateLimit = RateLimit.Off });

    public void Dispose() => _chat.Dispose();

    [TestMethod]
    [DataRow("/chat", true)]
    [DataRow("/chat/dev", true)]
    [DataRow("/chat/Dev.Team_2-x", true)]
    [DataRow("/chat/", false)]
    [DataRow("/chat/a/b", false)]
    [DataRow("/chat/bad%20room", false)]
    [DataRow("/chatroom", false)]
    [DataRow("/", false)]
    public void IsPathServed_ChatAndValidRooms(string path, bool served) =>
        Assert.AreEqual(served, _chat.Chat.IsPathServed(path));

    [TestMethod]
    public void Messages_StayInTheirRoom()
    {
        var lobby = _chat.Join("/chat?name=alice");
        var dev = _chat.Join("/chat/dev?name=bob");
        lobby.Clear();

        dev.Say("dev only");

        Assert.AreEqual("[bob]: dev only", dev.Last);
        Assert.IsEmpty(lobby.Received);
    }

    [TestMethod]
    public void Greeting_CountsTheRoom()
    {
        _chat.Join();
        _chat.Join();
        var dev = _chat.Join("/chat/dev");

        Assert.AreEqual("You are connected! There are 1 users here.", dev.Received[0]);
    }

    [TestMethod]
    public void RoomNames_IgnoreCase()
    {
        var a = _chat.Join("/chat/Dev");
        var b = _chat.Join("/chat/dev");

        b.Say("same room");

        Assert.AreEqual("[user1]: same room", a.Last);
    }

    [TestMethod]
    public void Names_UniqueAcrossRooms()
    {
        _chat.Join("/chat?name=alice");
        var dev = _chat.Join("/chat/dev?name=alice");

        Assert.AreEqual("! name alice is taken; you are user0", dev.Received[1]);
    }

    [TestMethod]
    public void EmptyRoom_Disappears_LobbyStays()
    {
        var dev = _chat.Join("/chat/dev");
        dev.Disconnect();
        var alice = _chat.Join();

        alice.Say("/rooms");

        Assert.AreEqual("* rooms: lobby (1)", alice.Last);
    }

    [TestMethod]
    public void MaxRooms_NewRoomRefusedWith1013()
    {
        using var chat = new ChatHarness(new ChatOptions { MaxRooms = 2 });
        chat.Join("/chat/dev");

        var refused = chat.Join("/chat/ops");

        Assert.AreEqual(1013, refused.ClosedWith);
        Assert.StartsWith("! too many rooms", refused.Last);
        Assert.AreEqual(1, chat.Chat.RoomCounts().Sum(r => r.Members));
    }
}
