using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleckChat.Tests.Support;

/// <summary>
/// A certificate chain made at run time, like a real one: a root, an intermediate, and a server
/// certificate for localhost and 127.0.0.1 signed by the intermediate. ECDSA keys: quick to make.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf, ECDsa leafKey)
    {
        Root = root;
        Intermediate = intermediate;
        Leaf = leaf;
        LeafKey = leafKey;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>The server certificate, with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    public ECDsa LeafKey { get; }

    public static TestCertificates Create(string name = "FleckChat test")
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest($"CN={name} root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest($"CN={name} intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var intermediateWithKey = intermediateRequest.Create(root, now.AddDays(-1), now.AddMonths(6), Serial()).CopyWithPrivateKey(intermediateKey);

        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN={name} localhost", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var leaf = leafRequest.Create(intermediateWithKey, now.AddDays(-1), now.AddMonths(3), Serial());
        return new TestCertificates(root, X509CertificateLoader.LoadCertificate(intermediateWithKey.RawData), leaf.CopyWithPrivateKey(leafKey), leafKey);
    }

    /// <summary>Writes <c>NAME.pem</c> (the certificate, with the intermediate when <paramref name="fullChain"/>) and <c>NAME.key</c>.</summary>
    public (string Certificate, string Key) WritePem(string directory, string name = "server", bool fullChain = false)
    {
        string certificate = Path.Combine(directory, name + ".pem");
        string key = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificate, Leaf.ExportCertificatePem() + "\n" + (fullChain ? Intermediate.ExportCertificatePem() + "\n" : ""));
        File.WriteAllText(key, LeafKey.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificate, key);
    }

    /// <summary>Writes the certificate and its key into one PEM file.</summary>
    public string WriteCombinedPem(string directory, string name = "combined")
    {
        string path = Path.Combine(directory, name + ".pem");
        File.WriteAllText(path, Leaf.ExportCertificatePem() + "\n" + LeafKey.ExportPkcs8PrivateKeyPem() + "\n");
        return path;
    }

    /// <summary>Writes a PKCS#12 file without password holding the certificate, its key and the intermediate.</summary>
    public string WritePkcs12(string directory, string name = "server")
    {
        string path = Path.Combine(directory, name + ".p12");
        var collection = new X509Certificate2Collection { Leaf, Intermediate };
        File.WriteAllBytes(path, collection.Export(X509ContentType.Pkcs12)!);
        return path;
    }

    /// <summary>
    /// A client check that accepts the server only when the chain it sent leads to <see cref="Root"/>:
    /// so it fails when the server leaves out the intermediate. Records what the server presented.
    /// </summary>
    public RemoteCertificateValidationCallback TrustRootOnly(Action<X509Certificate2>? seen = null) => (_, certificate, chain, _) =>
    {
        if (certificate is null || chain is null)
        {
            return false;
        }

        var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        seen?.Invoke(presented);
        using var verify = new X509Chain();
        verify.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verify.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        verify.ChainPolicy.DisableCertificateDownloads = true;
        verify.ChainPolicy.CustomTrustStore.Add(Root);
        verify.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        return verify.Build(presented);
    };

    /// <summary>A client check that accepts exactly this leaf certificate (for a server sending no chain).</summary>
    public RemoteCertificateValidationCallback PinLeaf(Action<X509Certificate2>? seen = null) => (_, certificate, _, _) =>
    {
        if (certificate is null)
        {
            return false;
        }

        seen?.Invoke(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        return certificate.GetCertHashString() == Leaf.Thumbprint;
    };

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Leaf.Dispose();
        LeafKey.Dispose();
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(16);
}
