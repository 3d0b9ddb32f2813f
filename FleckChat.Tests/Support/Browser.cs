using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace FleckChat.Tests.Support;

/// <summary>
/// Debian's headless chromium driven through Debian's chromium-driver (never a downloaded browser).
/// Each instance is its own browser process with its own empty profile, so two of them are two
/// users. Waits are MutationObserver promises inside the page, bounded by the script timeout.
/// </summary>
internal sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";
    public const string Install = "apt-get install -y chromium chromium-driver";

    // Runs before the page's own script (and outside its CSP): records alerts, CSP violations and
    // how many WebSockets the page opened (to tell a reconnection from none).
    private const string Watchers =
        "window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));" +
        "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" +
        "window.__sockets = 0; window.WebSocket = new Proxy(window.WebSocket, { construct(target, args) { window.__sockets += 1; return Reflect.construct(target, args); } });";

    private const string WaitScript = """
        const [selector, text, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
        const found = () => Array.from(document.querySelectorAll(selector)).some((e) => e.textContent.includes(text));
        if (found()) { done(true); return; }
        const observer = new MutationObserver(() => { if (found()) { observer.disconnect(); done(true); } });
        observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
        """;

    private readonly TempFolder _profile;

    private Browser(ChromeDriver driver, TempFolder profile)
    {
        Driver = driver;
        _profile = profile;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Starts a browser, or ends the test as inconclusive when chromium or its driver is not installed.</summary>
    public static Browser Start()
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            Assert.Inconclusive($"This test needs Debian's chromium and its driver: {Install}");
        }

        var profile = TempFolder.ForCaller("chromium");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--mute-audio", "--lang=en-GB",
            $"--user-data-dir={profile.Path}", "--window-size=1000,700");
        // The driver's own timeout outlasts the page's script timeout, so a wait that runs out ends
        // in WaitFor's message (with the page's text), not in the driver's HTTP request timing out.
        var driver = new ChromeDriver(service, options, Wait.Timeout * 2);
        driver.Manage().Timeouts().AsynchronousJavaScript = Wait.Timeout;
        driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?> { ["source"] = Watchers });
        return new Browser(driver, profile);
    }

    public void Open(string url) => Driver.Navigate().GoToUrl(url);

    /// <summary>A phone's viewport (headless windows cannot be narrower than 500 px, so it is emulated).</summary>
    public void EmulatePhone(int width = 390, int height = 844) =>
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 2, ["mobile"] = true,
        });

    public IWebElement Find(string cssSelector) => Driver.FindElement(By.CssSelector(cssSelector));

    /// <summary>Waits (bounded) until an element matching <paramref name="cssSelector"/> contains <paramref name="text"/>.</summary>
    public void WaitFor(string cssSelector, string text)
    {
        try
        {
            Driver.ExecuteAsyncScript(WaitScript, cssSelector, text);
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"no '{text}' in {cssSelector} within {Wait.Timeout}; the page shows:\n{Find("body").Text}");
        }
    }

    /// <summary>Types into a field, then Enter: the keyboard is all a user needs.</summary>
    public void Type(string cssSelector, string text)
    {
        var field = Find(cssSelector);
        field.Clear();
        field.SendKeys(text + Keys.Enter);
    }

    public T Script<T>(string script, params object[] args) => (T)Driver.ExecuteScript(script, args)!;

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _profile.Dispose();
    }
}
