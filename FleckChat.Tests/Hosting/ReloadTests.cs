using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary>SIGHUP (systemctl reload): log files reopened, certificate reloaded, nobody disconnected.</summary>
[TestClass]
public sealed class ReloadTests
{
    [TestMethod]
    public async Task Sighup_LogFileMovedAway_ReopensAndMembersStay()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await DaemonProcess.StartListeningAsync(logs.Path);
        await using (daemon)
        {
            var (client, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            await using (client)
            {
                await daemon.WaitForLineAsync(new Regex("user0 joined"));
                string current = Directory.GetFiles(logs.Path, "fleckchat-*.log").Single();
                File.Move(current, current + ".1");

                daemon.Signal("HUP");
                await daemon.WaitForLineAsync(new Regex("Reloaded with 1 connections kept"));

                await client.SendTextAsync("still here");
                await client.ReceiveUntilAsync(t => t.EndsWith("]: still here", StringComparison.Ordinal));
            }

            daemon.Signal("TERM");
            Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        }

        string rotated = File.ReadAllText(Directory.GetFiles(logs.Path, "*.log.1").Single());
        string fresh = File.ReadAllText(Directory.GetFiles(logs.Path, "fleckchat-*.log").Single());
        Assert.Contains("Received SIGHUP: reopening log files", rotated);
        Assert.DoesNotContain("Reloaded", rotated);
        Assert.Contains("Reloaded with 1 connections kept", fresh);
        Assert.Contains("user0 left", fresh);
    }

    [TestMethod]
    public async Task Sighup_CertificateFilesReplaced_NewHandshakesGetTheNewOneAndMembersStay()
    {
        using var folder = TempFolder.ForCaller();
        using var first = TestCertificates.Create("first");
        using var second = TestCertificates.Create("second");
        var (certificate, key) = first.WritePem(folder.Path, fullChain: true);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(folder.Path, "--cert", certificate, "--key", key);
        await using (daemon)
        {
            var uri = new Uri($"wss://127.0.0.1:{port}/chat");
            var (member, _) = await ChatClient.JoinAsync(uri, o => o.RemoteCertificateValidationCallback = first.TrustRootOnly());
            await using (member)
            {
                second.WritePem(folder.Path, fullChain: true);
                daemon.Signal("HUP");
                await daemon.WaitForLineAsync(new Regex("Reloaded with 1 connections kept"));

                X509Certificate2? presented = null;
                var (newcomer, greeting) = await ChatClient.JoinAsync(uri, o => o.RemoteCertificateValidationCallback = second.TrustRootOnly(c => presented = c));
                await using (newcomer)
                {
                    Assert.StartsWith("You are connected! There are 2 users here.", greeting);
                    Assert.AreEqual(second.Leaf.Thumbprint, presented?.Thumbprint);
                    await member.SendTextAsync("same connection");
                    await member.ReceiveUntilAsync(t => t.EndsWith("]: same connection", StringComparison.Ordinal));
                    await newcomer.ReceiveUntilAsync(t => t.EndsWith("]: same connection", StringComparison.Ordinal));
                }
            }
        }
    }

    [TestMethod]
    public async Task Sighup_BrokenCertificateFiles_KeepsTheCurrentCertificateAndSaysWhy()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: true);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(folder.Path, "--cert", certificate, "--key", key);
        await using (daemon)
        {
            File.WriteAllText(key, "half-written key");
            daemon.Signal("HUP");

            await daemon.WaitForLineAsync(new Regex($"Keeping the current TLS certificate: --key {Regex.Escape(key)}: no private key in it"));
            await daemon.WaitForLineAsync(new Regex("Reloaded with 0 connections kept"));
            var (client, greeting) = await ChatClient.JoinAsync(new Uri($"wss://127.0.0.1:{port}/chat"),
                o => o.RemoteCertificateValidationCallback = chain.TrustRootOnly());
            await using (client)
            {
                Assert.StartsWith("You are connected!", greeting);
            }
        }
    }
}
