using System.Text.Json;
using FleckChat.Chat;
using FleckChat.Chat.Safety;
using FleckChat.Limits;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Chat;

/// <summary>No forged lines, no terminal tricks.</summary>
[TestClass]
public sealed class SafetyTests : IDisposable
{
    private readonly ChatHarness _chat = new(new ChatOptions { RateLimit = RateLimit.Off });

    public void Dispose() => _chat.Dispose();

    [TestMethod]
    [DataRow("hi\n[bob]: I owe you", "[alice]: hi", "[alice]: [bob]: I owe you")]
    [DataRow("hi\r\n* bob left", "[alice]: hi", "[alice]: * bob left")]
    [DataRow("hi\r! name taken", "[alice]: hi", "[alice]: ! name taken")]
    [DataRow("a\u2028You are connected! There are 9 users here.", "[alice]: a", "[alice]: You are connected! There are 9 users here.")]
    public void MultiLine_EachLineCarriesTheSendersPrefix(string message, string first, string second)
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");
        bob.Clear();

        alice.Say(message);

        CollectionAssert.AreEqual(new[] { first, second }, bob.Received.ToArray());
    }

    [TestMethod]
    public void MultiLineAction_EachLineIsAnAction()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("/me waves\n[bob]: fake");

        CollectionAssert.AreEqual(new[] { "* alice waves", "* alice [bob]: fake" }, alice.Received.TakeLast(2).ToArray());
    }

    [TestMethod]
    public void MultiLineWhisper_EachLineIsAWhisper()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        alice.Say("/w bob one\n[carol]: two");

        CollectionAssert.AreEqual(new[] { "[alice -> bob]: one", "[alice -> bob]: [carol]: two" }, bob.Received.TakeLast(2).ToArray());
    }

    [TestMethod]
    [DataRow("\u001b[2J\u001b[Hhello", "hello")]
    [DataRow("\u001b]0;pwned title\u0007hello", "hello")]
    [DataRow("\u001b]2;title\u001b\\hello", "hello")]
    [DataRow("red \u001b[31;1mtext\u001b[0m", "red text")]
    [DataRow("\u009b2Jhello", "hello")]
    [DataRow("bell\u0007 and nul\u0000 and del\u007f", "bell and nul and del")]
    [DataRow("tab\tkept", "tab\tkept")]
    [DataRow("\u001bcreset", "reset")]
    [DataRow("\u001b(0line drawing", "line drawing")]
    [DataRow("\u001bPdcs string\u001b\\after", "after")]
    [DataRow("ünïcödé ✓", "ünïcödé ✓")]
    public void Clean_RemovesEscapesAndControls(string raw, string clean) =>
        Assert.AreEqual(clean, TextSanitizer.Clean(raw));

    [TestMethod]
    public void Escapes_RemovedBeforeRelay()
    {
        var alice = _chat.Join("/chat?name=alice");

        alice.Say("\u001b]0;owned\u0007\u001b[2Jhi");

        Assert.AreEqual("[alice]: hi", alice.Last);
    }

    [TestMethod]
    [DataRow("\u001b[2J")]
    [DataRow("   ")]
    [DataRow("\n\r\n")]
    [DataRow("\u0007\u0008")]
    [DataRow("\u200B\u2060\uFEFF")]
    [DataRow("\u202E \u2066\u2069")]
    [DataRow("\u200D\u200C")]
    [DataRow("\u3164\u3164")]
    [DataRow("\u2800 \u2800")]
    [DataRow("\u0301\u0302")]
    [DataRow("\U000E0068\U000E0069")]
    public void EmptyAfterCleaning_NotRelayed(string message)
    {
        var alice = _chat.Join();
        alice.Clear();

        alice.Say(message);

        Assert.IsEmpty(alice.Received);
    }

    [TestMethod]
    [DataRow("\U0001F468\u200D\U0001F469\u200D\U0001F467", DisplayName = "family ZWJ sequence")]
    [DataRow("\U0001F3F3\uFE0F\u200D\U0001F308", DisplayName = "rainbow flag")]
    [DataRow("\U0001F9D1\U0001F3FD\u200D\U0001F4BB \U0001F3C3\u200D\u2642\uFE0F #\uFE0F\u20E3", DisplayName = "skin tone, gender, keycap")]
    [DataRow("\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", DisplayName = "flag of England")]
    [DataRow("go \U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F!", DisplayName = "flag of Scotland in text")]
    [DataRow("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", DisplayName = "Persian with ZWNJ")]
    [DataRow("\u0646\u0627\u0645\u0647\u200C\u0647\u0627 \u0628\u0647\u200C\u0639\u0646\u0648\u0627\u0646", DisplayName = "Persian words with ZWNJ")]
    [DataRow("\u0915\u094D\u200D\u0937 \u0915\u094D\u200C\u0937", DisplayName = "Devanagari with ZWJ and ZWNJ")]
    [DataRow("\u05E9\u05C1\u05B8\u05DC\u05D5\u05B9\u05DD", DisplayName = "Hebrew with points")]
    [DataRow("Tie\u0302\u0301ng Vie\u0323\u0302t", DisplayName = "decomposed Vietnamese")]
    [DataRow("e\u0301\u0302\u0303\u0304", DisplayName = "four marks")]
    [DataRow("caf\u00E9 \u00A0 \u3000 \u2800 \uFFFD \u4E2D\u6587", DisplayName = "other ordinary text")]
    public void Clean_RealText_ReturnedAsIs(string text)
    {
        Assert.AreSame(text, TextSanitizer.Clean(text));
        CollectionAssert.AreEqual(new[] { text }, TextSanitizer.Lines(text));
    }

    [TestMethod]
    [DataRow("invoice_\u202Efdp.exe", "invoice_fdp.exe", DisplayName = "RLO-reversed filename")]
    [DataRow("\u202Enimda\u202C", "nimda", DisplayName = "RLO-reversed name")]
    [DataRow("\u202A\u202Ba\u202C\u202D\u2066b\u2067c\u2068d\u2069", "abcd", DisplayName = "embeddings and isolates")]
    [DataRow("a\u200Eb\u200Fc\u061Cd", "abcd", DisplayName = "marks LRM RLM ALM")]
    [DataRow("p\u200Ba\u2060s\uFEFFs\u180Ew\u00ADo\u2063rd", "password", DisplayName = "zero-width padding")]
    [DataRow("\u3164\u115F\uFFA0x\u17B4", "x", DisplayName = "Hangul fillers")]
    [DataRow("hi\U000E0049\U000E0047\U000E004E\U000E004F\U000E0052\U000E0045", "hi", DisplayName = "tag smuggling")]
    [DataRow("\U0001F3F4\U000E0067\U000E0062\U000E0065", "\U0001F3F4", DisplayName = "flag tags without CANCEL TAG")]
    [DataRow("\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E0067\U000E0067\U000E0067\U000E007F", "\U0001F3F4", DisplayName = "flag tags too long")]
    [DataRow("a\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "a", DisplayName = "flag tags without the flag")]
    [DataRow("\u200Dhi\u200C", "hi", DisplayName = "joiners leading and trailing")]
    [DataRow("ad\u200Dmi\u200Cn", "admin", DisplayName = "joiners between ASCII letters")]
    [DataRow("\u0915\u094D\u200D\u200D\u200C\u0937", "\u0915\u094D\u200D\u0937", DisplayName = "joiners doubled")]
    [DataRow("\u0645 \u200C \u0645!\u200D?", "\u0645  \u0645!?", DisplayName = "joiners between spaces and punctuation")]
    [DataRow("\U0001F468\u200D \u200D\U0001F469", "\U0001F468 \U0001F469", DisplayName = "joiners beside an emoji and a space")]
    [DataRow("\u0915\u200B\u200D\u202E\u0937", "\u0915\u200D\u0937", DisplayName = "joiner among removed characters")]
    [DataRow("Z\u0336\u0337\u0338\u0334\u0335\u0321\u0322\u0327a\u0300", "Z\u0336\u0337\u0338\u0334a\u0300", DisplayName = "Zalgo")]
    [DataRow("\u0301\u0302\u0303\u0304\u0305x", "\u0301\u0302\u0303\u0304x", DisplayName = "Zalgo without a base")]
    [DataRow("e\u0301\u200D\u0302\u200D\u0303\u200D\u0304\u200D\u0305\u200D\u0306", "e\u0301\u200D\u0302\u200D\u0303\u200D\u0304", DisplayName = "Zalgo with joiners")]
    [DataRow("\u20DD\u20DE\u20DF\u20E0\u20DD\u20DEo", "\u20DD\u20DE\u20DF\u20E0o", DisplayName = "enclosing marks")]
    [DataRow("a\u2028b\u2029c", "abc", DisplayName = "line separators in one line")]
    public void Clean_TextTricks_Removed(string raw, string clean) =>
        Assert.AreEqual(clean, TextSanitizer.Clean(raw));

    [TestMethod]
    public void TextTricks_RemovedBeforeRelay_TextAndJson()
    {
        var alice = _chat.Join("/chat?name=alice");
        var json = _chat.JoinJson("/chat?name=amy");
        alice.Clear();
        json.Clear();

        alice.Say("\u200B\u202E\n\u202Eevil\u200B\nZ\u0336\u0336\u0336\u0336\u0336\u0336");

        CollectionAssert.AreEqual(new[] { "[alice]: evil", "[alice]: Z\u0336\u0336\u0336\u0336" }, alice.Received.ToArray());
        CollectionAssert.AreEqual(new[] { "evil", "Z\u0336\u0336\u0336\u0336" }, json.Received.Select(Text).ToArray());

        static string? Text(string message)
        {
            using var doc = JsonDocument.Parse(message);
            return doc.RootElement.GetProperty("text").GetString();
        }
    }

    [TestMethod]
    public void Json_TextIsCleanedToo()
    {
        var json = _chat.JoinJson("/chat?name=amy");

        json.Say("""{"type":"message","text":"\u001b[31mred\nline2"}""");

        using var first = JsonDocument.Parse(json.Received[^2]);
        Assert.AreEqual("red", first.RootElement.GetProperty("text").GetString());
    }

    [TestMethod]
    public void QuitReason_Cleaned()
    {
        var alice = _chat.Join("/chat?name=alice");
        var bob = _chat.Join("/chat?name=bob");

        alice.Say("/quit bye\u001b[2J");
        alice.Disconnect();

        Assert.AreEqual("* alice left: bye", bob.Last);
    }
}
