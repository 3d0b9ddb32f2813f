using FleckChat.Limits;
using FleckChat.Tests.Support;
using OpenQA.Selenium;

namespace FleckChat.Tests.Web;

/// <summary>
/// The browser page in a real browser: two users (two headless chromium processes, one of them
/// phone-sized) and a plain ClientWebSocket member chat through the real daemon, by keyboard only;
/// and the page reconnecting by itself when its connection breaks, but not after a final close.
/// </summary>
[TestClass]
public sealed class ChatPageBrowserTests
{
    private const string Injection = "<img src=x onerror=alert(1)>";
    private const string Arabic = "مرحبا بالجميع 123";

    [TestMethod]
    public async Task TwoBrowsersAndRawClient_JoinChatWhisperRename_TextStaysText()
    {
        await using var daemon = InProcessDaemon.Start();
        string page = daemon.BaseUrl() + "/";
        using var alice = Browser.Start();
        alice.Open(page);
        alice.WaitFor("#status", "Connected");
        alice.Type("#name", "alice");
        alice.WaitFor("#me", "alice");

        using var bob = Browser.Start();
        bob.EmulatePhone();
        bob.Open(page);
        bob.WaitFor("#status", "Connected");
        string bobsFirstName = bob.Find("#me").Text;
        alice.WaitFor("#messages .event.join", $"{bobsFirstName} joined");
        alice.WaitFor("#members li", bobsFirstName);
        bob.WaitFor("#members li", "alice");

        bob.Type("#name", "bob");
        bob.WaitFor("#me", "bob");
        alice.WaitFor("#messages .event.rename", $"{bobsFirstName} is now known as bob");
        alice.WaitFor("#members li", "bob");

        alice.Type("#message", "hello bob");
        bob.WaitFor("#messages .event.message", "hello bob");
        Assert.AreEqual("alice", bob.Script<string>("return document.querySelector('#messages .event.message:last-child .from').textContent"));
        bob.Type("#message", "hi alice");
        alice.WaitFor("#messages .event.message", "hi alice");

        alice.Type("#message", "/whisper bob psst, only you");
        bob.WaitFor("#messages .event.whisper", "psst, only you");
        alice.WaitFor("#messages .event.whisper", "psst, only you");
        bob.Type("#message", "/me waves");
        alice.WaitFor("#messages .event.action", "waves");

        var (raw, _) = await ChatClient.JoinAsync(new Uri(daemon.ChatUri() + "?name=carol"));
        await using (raw)
        {
            await raw.SendTextAsync("hello from a plain WebSocket");
            alice.WaitFor("#messages .event.message", "hello from a plain WebSocket");
            bob.WaitFor("#messages .event.message", "hello from a plain WebSocket");
            Assert.AreEqual("carol", alice.Script<string>("return document.querySelector('#messages .event.message:last-child .from').textContent"));

            // Refused renames (the name is carol's, then not a name at all): the Name field shows the name alice really has.
            alice.Type("#name", "carol");
            alice.WaitFor("#messages .event.error", "name carol is taken");
            Assert.AreEqual("alice", alice.Script<string>("return document.querySelector('#name').value"));
            alice.Type("#name", "no!way");
            alice.WaitFor("#messages .event.error", "a name may only contain");
            Assert.AreEqual("alice", alice.Script<string>("return document.querySelector('#name').value"));
            Assert.AreEqual("alice", alice.Find("#me").Text);

            // Right-to-left text is isolated from the sender's name and stays to its right.
            await raw.SendTextAsync(Arabic);
            alice.WaitFor("#messages .event.message .text", Arabic);
            Assert.AreEqual("isolate isolate", alice.Script<string>(
                "const li = document.querySelector('#messages .event.message:last-child');" +
                "return ['.from', '.text'].map((s) => getComputedStyle(li.querySelector(s)).unicodeBidi).join(' ')"));
            Assert.IsTrue(alice.Script<bool>(
                "const li = document.querySelector('#messages .event.message:last-child');" +
                "return li.querySelector('.from').getBoundingClientRect().right <= li.querySelector('.text').getBoundingClientRect().left"),
                "the text is not to the right of its sender");

            bob.Type("#message", Injection);
            alice.WaitFor("#messages .event.message .text", Injection);
            foreach (var browser in new[] { alice, bob })
            {
                Assert.AreEqual(0L, browser.Script<long>("return document.querySelectorAll('#messages img').length"));
                Assert.AreEqual(Injection, browser.Script<string>("return document.querySelector('#messages .event.message:last-child .text').textContent"));
            }

            SaveScreenshot(alice, "chat-page.png", Environment.GetEnvironmentVariable("FLECKCHAT_SCREENSHOT"));
            SaveScreenshot(bob, "chat-page-phone.png", null);
        }

        // A phone-width screen: nothing wider than the window.
        Assert.AreEqual(390L, bob.Script<long>("return window.innerWidth"));
        Assert.IsTrue(bob.Script<bool>("return document.documentElement.scrollWidth <= window.innerWidth"), "page wider than a phone");

        // The room switcher joins /chat/dev: alice sees bob leave, bob's address says where he is.
        bob.Type("#room", "dev");
        bob.WaitFor("#current-room", "dev");
        bob.WaitFor("#status", "Connected");
        alice.WaitFor("#messages .event.leave", "bob left");
        Assert.AreEqual("#dev", bob.Script<string>("return location.hash"));
        Assert.AreEqual(1L, bob.Script<long>("return document.querySelectorAll('#members li').length"));

        // The server goes away (1001, as for a restart): both pages give its reason and plan to reconnect.
        await daemon.StopAsync();
        foreach (var browser in new[] { alice, bob })
        {
            browser.WaitFor("body[data-state='reconnecting'] #status", "Disconnected (server shutting down). Reconnecting");
            browser.WaitFor("#messages .event.error", "server shutting down; reconnecting");
        }

        foreach (var browser in new[] { alice, bob })
        {
            Assert.AreEqual(0L, browser.Script<long>("return window.__alerts.length"), "an alert ran");
            Assert.AreEqual(0L, browser.Script<long>("return window.__csp.length"),
                "CSP violations: " + string.Join("; ", browser.Script<IReadOnlyCollection<object>>("return window.__csp")));
        }
    }

    [TestMethod]
    public async Task KeyboardOnly_TabReachesEveryControlInOrder()
    {
        await using var daemon = InProcessDaemon.Start();
        using var browser = Browser.Start();
        browser.Open(daemon.BaseUrl() + "/");
        browser.WaitFor("#status", "Connected");
        Assert.AreEqual("message", browser.Script<string>("return document.activeElement.id"), "the message box has the focus first");

        var reached = new List<string>();
        browser.Script<object?>("document.querySelector('#name').focus()");
        for (int i = 0; i < 7; i++)
        {
            reached.Add(browser.Script<string>("const e = document.activeElement; return e.id || e.textContent.trim()"));
            browser.Driver.SwitchTo().ActiveElement().SendKeys(Keys.Tab);
        }

        CollectionAssert.AreEqual(new[] { "name", "Rename", "room", "Join", "messages", "message", "Send" }, reached);
    }

    /// <param name="replayEvents">The room's replay: 3 keeps too few of the missed events, so the page gets a gap and the history (whose lines it has shown already are dropped).</param>
    [TestMethod]
    [DataRow(1000, false, DisplayName = "replayed")]
    [DataRow(3, true, DisplayName = "gap")]
    public async Task ConnectionCutWithoutCloseFrame_PageResumesByItself_EveryMissedLineOnce_RoomSeesNothing(int replayEvents, bool gap)
    {
        await using var daemon = InProcessDaemon.Start(configure: o => o with { Chat = o.Chat with { RateLimit = RateLimit.Off, ReplayEvents = replayEvents } });

        // The page comes through a relay, so its WebSocket does too: cutting the relay breaks the
        // connection with no close frame either way, as a dead network would.
        await using var relay = TcpRelay.Start(daemon.Port);
        using var browser = Browser.Start();
        browser.Open($"http://127.0.0.1:{relay.Port}/");
        browser.WaitFor("#status", "Connected");
        browser.Type("#name", "ann");
        browser.WaitFor("#me", "ann");
        var (bob, _) = await ChatClient.JoinAsync(new Uri(daemon.ChatUri() + "?name=bob"));
        await using var _bob = bob;
        browser.WaitFor("#messages .event.join", "bob joined");
        await bob.SendTextAsync("before");
        browser.WaitFor("#messages .event.message", "before");

        relay.Cut();
        browser.WaitFor("#messages .event.error", "connection lost; reconnecting…");
        for (int i = 1; i <= 5; i++)
        {
            await bob.SendTextAsync($"missed {i}");
        }

        var seenByBob = await bob.LinesUntilAsync(line => line == "[bob]: missed 5");
        relay.Restore();
        browser.WaitFor("#messages .event.notice", "Reconnected.");
        browser.WaitFor("body[data-state='connected'] #status", "Connected");
        await bob.SendTextAsync("live");
        browser.WaitFor("#messages .event.message", "live");

        Assert.AreEqual(gap ? 1 : 0, Texts(browser, "#messages .event.error .text").Count(t => t.StartsWith("messages may have been missed", StringComparison.Ordinal)));
        string[] expected = ["before", .. Enumerable.Range(1, 5).Select(i => $"missed {i}"), "live"];
        CollectionAssert.AreEqual(expected, Texts(browser, "#messages .event.message .text"));
        Assert.AreEqual(1, Texts(browser, "#messages .event.error .text").Count(t => t.StartsWith("connection lost", StringComparison.Ordinal)),
            "one line for the whole outage");
        Assert.AreEqual("ann", browser.Find("#me").Text);

        // Seamless for the room: bob saw ann neither leave nor join, and she is still a member.
        await bob.SendTextAsync("/who");
        seenByBob.AddRange(await bob.LinesUntilAsync(line => line.StartsWith("* members", StringComparison.Ordinal)));
        Assert.AreEqual("* members of lobby: ann, bob", seenByBob[^1]);
        Assert.IsFalse(seenByBob.Any(l => l.StartsWith("* ann", StringComparison.Ordinal)), string.Join('\n', seenByBob));
    }

    [TestMethod]
    public async Task Quit_ShowsCloseCodeAndReason_DoesNotReconnect()
    {
        await using var daemon = InProcessDaemon.Start();
        using var browser = Browser.Start();
        browser.Open(daemon.BaseUrl() + "/");
        browser.WaitFor("#status", "Connected");
        browser.Type("#message", "/quit gone fishing");
        browser.WaitFor("body[data-state='disconnected'] #status", "Disconnected (1000 gone fishing). Not reconnecting.");
        browser.WaitFor("#messages .event.error", "Disconnected by the server (1000 gone fishing)");

        // "Not reconnecting" is set where the page decides not to schedule a retry (a retry would have set
        // "Reconnecting in"), so the state is the proof, without waiting for something not to happen.
        Assert.AreEqual("disconnected", browser.Script<string>("return document.body.dataset.state"));
        Assert.AreEqual(1L, browser.Script<long>("return window.__sockets"), "one socket, the first");
        Assert.AreEqual(0L, daemon.Server.ConnectionCount);
    }

    private static string[] Texts(Browser browser, string cssSelector) =>
        [.. browser.Script<IReadOnlyCollection<object>>(
            "return Array.from(document.querySelectorAll(arguments[0])).map((e) => e.textContent)", cssSelector).Cast<string>()];

    /// <summary>
    /// Pictures of the page, kept with the test output; the README's (docs/screenshot.png) is made
    /// by running this test with FLECKCHAT_SCREENSHOT set to where it should go.
    /// </summary>
    private static void SaveScreenshot(Browser browser, string fileName, string? copyTo)
    {
        string path = Path.Combine(AppContext.BaseDirectory, fileName);
        browser.Driver.GetScreenshot().SaveAsFile(path);
        Assert.IsGreaterThan(1000, new FileInfo(path).Length);
        if (!string.IsNullOrEmpty(copyTo))
        {
            File.Copy(path, copyTo, overwrite: true);
        }
    }
}
