using System.Globalization;
using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>The join and leave lines: the room by its real name, and no gap where a close reason is missing.</summary>
[TestClass]
public sealed class LogLineTests : IDisposable
{
    private readonly CollectedLog _log = new();
    private readonly ChatHarness _chat;

    public LogLineTests() => _chat = new ChatHarness(new ChatOptions { RateLimit = RateLimit.Off }, _log.Logger);

    public void Dispose()
    {
        _chat.Dispose();
        _log.Dispose();
    }

    [TestMethod]
    public void JoinAndLeave_RoomTypedInOtherCase_BothNameTheRoomAsItIs()
    {
        _chat.Join("/chat/dev");
        _chat.Join("/chat/DEV").Disconnect();

        Assert.AreEqual("\"dev\"", _log.Matching("{Name} joined ")[1].Properties["Room"].ToString());
        Assert.AreEqual("\"dev\"", _log.Matching("{Name} left ").Single().Properties["Room"].ToString());
    }

    [TestMethod]
    public void Leave_NoCloseReason_LineReadsWithoutAGap()
    {
        _chat.Join().Disconnect();

        var left = _log.Matching("{Name} left ").Single();
        Assert.IsFalse(left.Properties.ContainsKey("CloseReason"));
        Assert.DoesNotContain(" , ", left.RenderMessage(CultureInfo.InvariantCulture));
    }
}
