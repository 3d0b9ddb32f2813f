using System.Text;
using FleckChat.Chat.Events;
using FleckChat.Cluster;

namespace FleckChat.Tests.Cluster;

[TestClass]
public sealed class RoomEventCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 6, 26, 6, 123, TimeSpan.Zero);

    [TestMethod]
    [DataRow("Message", "alice", null, "hello \"there\" 👋", null, null)]
    [DataRow("Action", "alice", null, "waves", null, null)]
    [DataRow("Join", null, "bob", null, null, null)]
    [DataRow("Leave", null, "bob", "gone fishing", null, null)]
    [DataRow("Rename", "bob", "robert", null, null, null)]
    [DataRow("Presence", null, null, "* 3 members joined in the last second", 3, 0)]
    public void RoomEvent_EncodedAndDecoded_SameEventWithTheOffsetAndRoom(string kindName, string? from, string? name, string? text, int? joined, int? left)
    {
        var kind = Enum.Parse<ChatEventKind>(kindName);
        var sent = new ChatEvent { Kind = kind, From = from, Name = name, Text = text, Joined = joined, Left = left, Timestamp = At, Room = "dev", Id = 99 };

        var read = RoomEventCodec.Decode(RoomEventCodec.Encode(sent), "dev", 7);

        Assert.IsNotNull(read);
        Assert.AreEqual((kind, from, name, text, joined, left, At), (read.Kind, read.From, read.Name, read.Text, read.Joined, read.Left, read.Timestamp));
        Assert.AreEqual(7, read.Id, "the offset is the room log's, not the sender's");
        Assert.AreEqual("dev", read.Room);
    }

    [TestMethod]
    [DataRow("not json")]
    [DataRow("{\"kind\":\"Welcome\",\"ts\":1}")]
    [DataRow("{\"kind\":\"Nonsense\",\"ts\":1}")]
    [DataRow("")]
    public void NotARoomEvent_DecodesToNull(string bytes) =>
        Assert.IsNull(RoomEventCodec.Decode(Encoding.UTF8.GetBytes(bytes), "dev", 1));
}
