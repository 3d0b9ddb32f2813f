using System.Text;
using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
using FleckChat.Client;

namespace FleckChat.Tests.Client;

[TestClass]
public sealed class ResumeViewTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 1, 2, TimeSpan.Zero);

    [TestMethod]
    public void Lines_EachKind_SameLineAsTheTextFormat()
    {
        ChatEvent[] events =
        [
            Event(ChatEventKind.Welcome, name: "ann", text: "You are connected! There are 2 users here.", epoch: "e1", resume: "t.1"),
            Event(ChatEventKind.Message, id: 1, from: "bob", text: "hi"),
            Event(ChatEventKind.Action, id: 2, from: "bob", text: "waves"),
            Event(ChatEventKind.Whisper, from: "bob", to: "ann", text: "psst"),
            Event(ChatEventKind.Join, id: 3, name: "carol"),
            Event(ChatEventKind.Leave, id: 4, name: "carol", text: "bye"),
            Event(ChatEventKind.Rename, id: 5, from: "bob", name: "rob"),
            new ChatEvent { Kind = ChatEventKind.Who, Room = "lobby", Members = ["ann", "rob"], Timestamp = At },
            new ChatEvent { Kind = ChatEventKind.Rooms, Rooms = [new RoomCount("lobby", 2), new RoomCount("dev", 1)], Timestamp = At },
            Event(ChatEventKind.Error, text: "no such member"),
            Event(ChatEventKind.Gap, text: "messages may have been missed: the room started again"),
        ];
        var view = new ResumeView();

        foreach (var e in events)
        {
            CollectionAssert.AreEqual(Text(e), view.Lines(Json(e)).ToArray(), e.Kind.ToString());
        }
    }

    [TestMethod]
    public void Lines_History_TimedLinesLikeTheTextFormat_WithoutThoseSeenAlready()
    {
        var view = new ResumeView();
        view.Lines(Json(Event(ChatEventKind.Welcome, name: "ann", text: "hi", epoch: "e1")));
        view.Lines(Json(Event(ChatEventKind.Message, id: 7, from: "bob", text: "seen")));

        var history = new ChatEvent
        {
            Kind = ChatEventKind.History, Room = "lobby", Timestamp = At,
            Events = [Event(ChatEventKind.Message, id: 7, from: "bob", text: "seen"), Event(ChatEventKind.Action, id: 8, from: "bob", text: "waves")],
        };

        CollectionAssert.AreEqual(new[] { "[08:01:02Z] * bob waves" }, view.Lines(Json(history)).ToArray());
    }

    [TestMethod]
    public void Lines_RoomEventAgain_ShownOnce_SecondWelcomeAndOwnJoinNotShown()
    {
        var view = new ResumeView();
        view.Lines(Json(Event(ChatEventKind.Welcome, name: "ann", text: "You are connected!", epoch: "e1", resume: "t.1")));
        view.Lines(Json(Event(ChatEventKind.Message, id: 1, from: "bob", text: "one")));

        Assert.IsEmpty(view.Lines(Json(Event(ChatEventKind.Welcome, name: "ann", text: "You are connected!", epoch: "e1", resume: "t.2"))));
        Assert.IsEmpty(view.Lines(Json(Event(ChatEventKind.Message, id: 1, from: "bob", text: "one"))));
        Assert.IsEmpty(view.Lines(Json(Event(ChatEventKind.Join, id: 2, name: "ann"))));
        CollectionAssert.AreEqual(new[] { "[bob]: two" }, view.Lines(Json(Event(ChatEventKind.Message, id: 3, from: "bob", text: "two"))).ToArray());
        Assert.IsEmpty(view.Lines(Json(Event(ChatEventKind.Message, id: 3, from: "bob", text: "two"))));
    }

    [TestMethod]
    public void Lines_NewEpoch_IdsStartAgain_Shown()
    {
        var view = new ResumeView();
        view.Lines(Json(Event(ChatEventKind.Welcome, name: "ann", text: "hi", epoch: "e1")));
        view.Lines(Json(Event(ChatEventKind.Message, id: 9, from: "bob", text: "old")));

        view.Lines(Json(Event(ChatEventKind.Welcome, name: "ann", text: "hi", epoch: "e2")));

        CollectionAssert.AreEqual(new[] { "[bob]: new" }, view.Lines(Json(Event(ChatEventKind.Message, id: 1, from: "bob", text: "new"))).ToArray());
    }

    [TestMethod]
    public void Lines_NotAnEvent_ShownAsItCame() =>
        CollectionAssert.AreEqual(new[] { "{\"type\":\"future\"}" }, new ResumeView().Lines("{\"type\":\"future\"}").ToArray());

    [TestMethod]
    public void ResumeUrl_AfterWelcomeAndEvents_SinceEpochAndEscapedToken()
    {
        var view = new ResumeView();
        var url = new Uri("ws://h:1/chat/dev?name=ann");
        Assert.AreEqual(url, view.ResumeUrl(url));

        view.Lines(Json(Event(ChatEventKind.Welcome, name: "ann", text: "hi", epoch: "e 1", resume: "a+b/c=")));
        Assert.AreEqual("ws://h:1/chat/dev?name=ann&resume=a%2Bb%2Fc%3D", view.ResumeUrl(url).AbsoluteUri);

        view.Lines(Json(Event(ChatEventKind.Message, id: 41, from: "bob", text: "see you")));
        Assert.AreEqual("ws://h:1/chat/dev?name=ann&since=41&epoch=e%201&resume=a%2Bb%2Fc%3D", view.ResumeUrl(url).AbsoluteUri);
    }

    private static ChatEvent Event(ChatEventKind kind, long id = 0, string? from = null, string? to = null, string? name = null, string? text = null,
        string? epoch = null, string? resume = null) =>
        new() { Kind = kind, Id = id, Room = "lobby", From = from, To = to, Name = name, Text = text, Epoch = epoch, Resume = resume, Timestamp = At };

    private static string Json(ChatEvent e) => Encoding.UTF8.GetString(JsonFormat.Instance.Render(e).Payload);

    private static string[] Text(ChatEvent e) => [.. TextFormat.Instance.RenderPrivate(e).Select(m => Encoding.UTF8.GetString(m.Payload))];
}
