using FleckChat.Hosting;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

[TestClass]
public sealed class TlsCertificateTests
{
    [TestMethod]
    public void Load_NoCertificate_PlainWs()
    {
        Assert.IsNull(TlsCertificate.Load(null, null));
    }

    [TestMethod]
    public void Load_PemAndKey_LeafWithKey()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path);

        var loaded = TlsCertificate.Load(certificate, key)!;

        Assert.AreEqual(chain.Leaf.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.IsTrue(loaded.Leaf.HasPrivateKey);
        Assert.AreEqual(0, loaded.Intermediates);
    }

    [TestMethod]
    public void Load_FullChainPem_KeepsTheIntermediateToSend()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, key) = chain.WritePem(folder.Path, fullChain: true);

        var loaded = TlsCertificate.Load(certificate, key)!;

        Assert.AreEqual(chain.Leaf.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.AreEqual(1, loaded.Intermediates);
        Assert.AreEqual(chain.Leaf.Thumbprint, loaded.Context.TargetCertificate.Thumbprint);
    }

    [TestMethod]
    public void Load_CertificateAndKeyInOneFile_NoKeyOptionNeeded()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();

        var loaded = TlsCertificate.Load(chain.WriteCombinedPem(folder.Path), null)!;

        Assert.IsTrue(loaded.Leaf.HasPrivateKey);
    }

    [TestMethod]
    public void Load_Pkcs12WithoutPassword_LeafAndIntermediate()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();

        var loaded = TlsCertificate.Load(chain.WritePkcs12(folder.Path), null)!;

        Assert.AreEqual(chain.Leaf.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.IsTrue(loaded.Leaf.HasPrivateKey);
        Assert.AreEqual(1, loaded.Intermediates);
    }

    [TestMethod]
    public void Load_MissingFile_NamesOptionAndFile()
    {
        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load("/nonexistent/cert.pem", null));

        Assert.AreEqual("--cert /nonexistent/cert.pem: no such file", ex.Message);
        Assert.AreEqual(ExitCodes.Usage, ex.ExitCode);
    }

    [TestMethod]
    public void Load_MissingKeyFile_NamesTheKeyOption()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, _) = chain.WritePem(folder.Path);

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(certificate, "/nonexistent/key.pem"));

        Assert.AreEqual("--key /nonexistent/key.pem: no such file", ex.Message);
    }

    [TestMethod]
    public void Load_Directory_SaysItIsNoFile()
    {
        using var folder = TempFolder.ForCaller();

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(folder.Path, null));

        Assert.AreEqual($"--cert {folder.Path}: is a directory, not a file", ex.Message);
    }

    [TestMethod]
    public void Load_KeyOfAnotherCertificate_SaysTheyDoNotFit()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        using var other = TestCertificates.Create("other");
        var (certificate, _) = chain.WritePem(folder.Path, "mine");
        var (_, otherKey) = other.WritePem(folder.Path, "other");

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(certificate, otherKey));

        Assert.StartsWith($"--key {otherKey}: the private key does not fit the certificate in --cert {certificate}", ex.Message);
    }

    [TestMethod]
    public void Load_PemWithoutKey_AsksForKeyOption()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, _) = chain.WritePem(folder.Path);

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(certificate, null));

        Assert.AreEqual($"--cert {certificate}: no private key in it; give the key with --key", ex.Message);
    }

    [TestMethod]
    public void Load_KeyFileWithoutKey_SaysSo()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (certificate, _) = chain.WritePem(folder.Path);

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(certificate, certificate));

        Assert.StartsWith($"--key {certificate}: no private key in it", ex.Message);
    }

    [TestMethod]
    public void Load_KeyWithoutCertificate_AsksForCert()
    {
        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(null, "/etc/key.pem"));

        Assert.StartsWith("--key: needs --cert", ex.Message);
    }

    [TestMethod]
    public void Load_Pkcs12AndKey_SaysTheKeyIsForPem()
    {
        using var folder = TempFolder.ForCaller();
        using var chain = TestCertificates.Create();
        var (_, key) = chain.WritePem(folder.Path);

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(chain.WritePkcs12(folder.Path), key));

        Assert.StartsWith("--key: only with a PEM certificate", ex.Message);
    }

    [TestMethod]
    public void Load_Garbage_NeitherPemNorPkcs12()
    {
        using var folder = TempFolder.ForCaller();
        string path = Path.Combine(folder.Path, "garbage.crt");
        File.WriteAllText(path, "this is not a certificate");

        var ex = Assert.ThrowsExactly<StartupException>(() => TlsCertificate.Load(path, null));

        Assert.StartsWith($"--cert {path}: neither PEM nor a PKCS#12 file without a password", ex.Message);
    }
}
