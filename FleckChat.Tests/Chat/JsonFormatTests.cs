using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>The JSON format: one object per event, the same events as text clients, in the same order.</summary>
[TestClass]
public sealed class JsonFormatTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { RateLimit = RateLimit.Off });

    public void Dispose() => _chat.Dispose();

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [TestMethod]
    public void Welcome_HasNameRoomMembersTextTime()
    {
        _chat.Join("/chat?name=zed");
        var me = _chat.JoinJson("/chat?name=amy");

        var welcome = Parse(me.Received[0]);

        Assert.AreEqual("welcome", welcome.GetProperty("type").GetString());
        Assert.AreEqual("amy", welcome.GetProperty("name").GetString());
        Assert.AreEqual("lobby", welcome.GetProperty("room").GetString());
        CollectionAssert.AreEqual(new[] { "amy", "zed" }, welcome.GetProperty("members").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual("You are connected! There are 2 users here.", welcome.GetProperty("text").GetString());
        Assert.AreEqual("2026-11-26T08:00:00.000Z", welcome.GetProperty("ts").GetString());
    }

    [TestMethod]
    public void Message_FromJsonClient_RelayedWithIdsThatIncrease()
    {
        var json = _chat.JoinJson("/chat?name=amy");

        json.Say("""{"type":"message","text":"one"}""");
        json.Say("""{"type":"message","text":"two"}""");

        var one = Parse(json.Received[^2]);
        var two = Parse(json.Received[^1]);
        Assert.AreEqual("message", one.GetProperty("type").GetString());
        Assert.AreEqual("amy", one.GetProperty("from").GetString());
        Assert.AreEqual("lobby", one.GetProperty("room").GetString());
        Assert.AreEqual("one", one.GetProperty("text").GetString());
        Assert.AreEqual(one.GetProperty("id").GetInt64() + 1, two.GetProperty("id").GetInt64());
    }

    [TestMethod]
    public void Command_FromJsonClient_Runs()
    {
        var json = _chat.JoinJson();

        json.Say("""{"type":"command","text":"/nick amy"}""");

        var rename = Parse(json.Last);
        Assert.AreEqual("rename", rename.GetProperty("type").GetString());
        Assert.AreEqual("user0", rename.GetProperty("from").GetString());
        Assert.AreEqual("amy", rename.GetProperty("name").GetString());
    }

    [TestMethod]
    public void MessageStartingWithSlash_IsLiteral()
    {
        var json = _chat.JoinJson("/chat?name=amy");

        json.Say("""{"type":"message","text":"/nick is literal here"}""");

        Assert.AreEqual("/nick is literal here", Parse(json.Last).GetProperty("text").GetString());
    }

    [TestMethod]
    [DataRow("not json")]
    [DataRow("""{"type":"shout","text":"x"}""")]
    [DataRow("""{"text":"x"}""")]
    [DataRow("""{"type":"command","text":"nick amy"}""")]
    [DataRow("[1,2]")]
    public void Invalid_ErrorEventNothingRelayed(string frame)
    {
        var json = _chat.JoinJson();
        var text = _chat.Join();
        text.Clear();

        json.Say(frame);

        Assert.AreEqual("error", Parse(json.Last).GetProperty("type").GetString());
        Assert.IsEmpty(text.Received);
    }

    [TestMethod]
    public void Every_EventType_HasTheDocumentedFields()
    {
        var bob = _chat.Join("/chat?name=bob");
        var amy = _chat.JoinJson("/chat?name=amy");
        bob.Say("hello");
        bob.Say("/me waves");
        bob.Say("/w amy psst");
        amy.Say("""{"type":"command","text":"/who"}""");
        amy.Say("""{"type":"command","text":"/rooms"}""");
        amy.Say("""{"type":"command","text":"/bogus"}""");
        bob.Say("/nick robert");
        bob.Disconnect();

        var events = amy.Received.Select(Parse).ToDictionary(e => e.GetProperty("type").GetString()!, e => e, StringComparer.Ordinal);
        Assert.AreEqual("hello", events["message"].GetProperty("text").GetString());
        Assert.AreEqual("waves", events["action"].GetProperty("text").GetString());
        Assert.AreEqual("amy", events["whisper"].GetProperty("to").GetString());
        Assert.AreEqual(2, events["who"].GetProperty("members").GetArrayLength());
        Assert.AreEqual("lobby", events["rooms"].GetProperty("rooms")[0].GetProperty("room").GetString());
        Assert.AreEqual(2, events["rooms"].GetProperty("rooms")[0].GetProperty("members").GetInt32());
        Assert.StartsWith("unknown command /bogus", events["error"].GetProperty("text").GetString());
        Assert.AreEqual("robert", events["rename"].GetProperty("name").GetString());
        Assert.AreEqual("robert", events["leave"].GetProperty("name").GetString());
        Assert.IsTrue(events.Values.All(e => e.TryGetProperty("ts", out _)));
    }

    [TestMethod]
    public void TextAndJson_SameRoom_SameEventsSameOrder()
    {
        var text = _chat.Join("/chat?name=tess");
        var json = _chat.JoinJson("/chat?name=jay");
        text.Clear();
        json.Clear();

        text.Say("hi from text");
        json.Say("""{"type":"message","text":"hi from json"}""");
        text.Say("/me nods");
        json.Say("""{"type":"command","text":"/nick jason"}""");
        _chat.Join("/chat?name=newbie");

        var fromJson = json.Received.Select(l => TextLineOf(Parse(l))).ToArray();
        CollectionAssert.AreEqual(text.Received.ToArray(), fromJson);
        Assert.HasCount(5, fromJson);
    }

    /// <summary>What a text client would have seen for a JSON event.</summary>
    private static string TextLineOf(JsonElement e)
    {
        string Get(string name) => e.GetProperty(name).GetString()!;
        return Get("type") switch
        {
            "message" => $"[{Get("from")}]: {Get("text")}",
            "action" => $"* {Get("from")} {Get("text")}",
            "rename" => $"* {Get("from")} is now known as {Get("name")}",
            "join" => $"* {Get("name")} joined",
            "leave" => $"* {Get("name")} left",
            var other => "?" + other,
        };
    }
}
