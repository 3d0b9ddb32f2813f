using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary>The real daemon serving wss:// with a certificate chain the test makes.</summary>
[TestClass]
public sealed class WssTests
{
    [TestMethod]
    public async Task ClientWebSocket_FullChainPem_VerifiesAgainstTheRootAndChats()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: true);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(folder.Path, "--cert", certificate, "--key", key);
        await using (daemon)
        {
            var uri = new Uri($"wss://127.0.0.1:{port}/chat");
            var (alice, greeting) = await ChatClient.JoinAsync(uri, o => o.RemoteCertificateValidationCallback = chain.TrustRootOnly());
            var (bob, _) = await ChatClient.JoinAsync(uri, o => o.RemoteCertificateValidationCallback = chain.TrustRootOnly());
            await using (alice)
            await using (bob)
            {
                Assert.StartsWith("You are connected!", greeting);
                await alice.SendTextAsync("over tls");

                await alice.ReceiveUntilAsync(t => t.EndsWith("]: over tls", StringComparison.Ordinal));
                await bob.ReceiveUntilAsync(t => t.EndsWith("]: over tls", StringComparison.Ordinal));
            }

            Assert.Contains("listening on wss://127.0.0.1:", daemon.Output);
            Assert.Contains("with 1 intermediate certificates", daemon.Output);
        }
    }

    [TestMethod]
    public async Task ClientWebSocket_LeafOnlyPem_ClientMissingTheIntermediateRefuses()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: false);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(folder.Path, "--cert", certificate, "--key", key);
        await using (daemon)
        {
            var uri = new Uri($"wss://127.0.0.1:{port}/chat");

            // The check of the full-chain test fails when the server sends no intermediate ...
            await Assert.ThrowsAsync<WebSocketException>(() =>
                ChatClient.ConnectAsync(uri, configure: o => o.RemoteCertificateValidationCallback = chain.TrustRootOnly()));

            // ... while a client that knows the certificate itself is served.
            var (client, greeting) = await ChatClient.JoinAsync(uri, o => o.RemoteCertificateValidationCallback = chain.PinLeaf());
            await using (client)
            {
                Assert.StartsWith("You are connected!", greeting);
            }
        }
    }

    [TestMethod]
    public async Task PlainWsClient_TlsPort_FailsCleanlyAndTheDaemonServesOn()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: true);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(folder.Path, "--cert", certificate, "--key", key);
        await using (daemon)
        {
            var ex = await Assert.ThrowsAsync<WebSocketException>(() => ChatClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/chat")));

            Assert.IsNotNull(ex);
            await daemon.WaitForLineAsync(new Regex(@"Handshake from 127\.0\.0\.1:\d+ failed"));
            var (client, greeting) = await ChatClient.JoinAsync(new Uri($"wss://127.0.0.1:{port}/chat"),
                o => o.RemoteCertificateValidationCallback = chain.TrustRootOnly());
            await using (client)
            {
                Assert.StartsWith("You are connected!", greeting);
            }

            Assert.DoesNotContain("Unexpected error", daemon.Output);
            Assert.DoesNotContain("   at ", daemon.Output);
        }
    }

    [TestMethod]
    [DataRow(SslProtocols.Tls12)]
    [DataRow(SslProtocols.Tls13)]
    public async Task TlsHandshake_Version_Accepted(SslProtocols protocol)
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: true);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(folder.Path, "--cert", certificate, "--key", key);
        await using (daemon)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port).Bounded();
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                RemoteCertificateValidationCallback = chain.TrustRootOnly(),
            }).Bounded();

            Assert.AreEqual(protocol, ssl.SslProtocol);
        }
    }

    [TestMethod]
    [DataRow("missing")]
    [DataRow("mismatch")]
    public async Task Start_UnusableCertificate_OneLineErrorExit2(string problem)
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        using var other = TestCertificates.Create("other");
        var (certificate, _) = chain.WritePem(folder.Path, "mine");
        var (_, otherKey) = other.WritePem(folder.Path, "other");
        string[] args = problem == "missing"
            ? ["--cert", Path.Combine(folder.Path, "absent.pem"), "--key", otherKey]
            : ["--cert", certificate, "--key", otherKey];

        var (code, output) = await DaemonProcess.RunAsync(["--port", "0", "--log-dir", folder.Path, .. args]);

        Assert.AreEqual(2, code, output);
        Assert.HasCount(1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), output);
        Assert.StartsWith(problem == "missing" ? "fleckchat: --cert " : "fleckchat: --key ", output);
    }

    [TestMethod]
    public async Task Start_CertificateFromEnvironment_ServesWss()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        string combined = chain.WriteCombinedPem(folder.Path);
        await using var daemon = DaemonProcess.Start(["--port", "0", "--bind", "127.0.0.1", "--log-dir", folder.Path],
            new Dictionary<string, string> { ["FLECKCHAT_CERT"] = combined });

        await daemon.WaitForLineAsync(new Regex(@"listening on wss://127\.0\.0\.1:\d+/chat"));
    }
}
