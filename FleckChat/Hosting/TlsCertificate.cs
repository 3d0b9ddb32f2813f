using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Serilog;

namespace FleckChat.Hosting;

/// <summary>
/// The certificate wss:// is served with, from <c>--cert</c> and <c>--key</c>: PEM files (the key in
/// its own file or after the certificates; a full chain such as Let's Encrypt's <c>fullchain.pem</c>
/// sends its intermediates too), or one PKCS#12 file without a password. Whatever is wrong with them
/// is a <see cref="StartupException"/> naming the option and the file.
/// </summary>
internal sealed class TlsCertificate
{
    private TlsCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates, string certificatePath)
    {
        Leaf = leaf;
        Intermediates = intermediates.Count;
        try
        {
            Context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
        {
            // Building the chain reads the user's certificate stores: e.g. no $HOME for a user without one.
            throw new StartupException($"--cert {certificatePath}: cannot prepare the certificate for TLS ({ex.Message})", ex);
        }
    }

    public X509Certificate2 Leaf { get; }

    public int Intermediates { get; }

    /// <summary>What SslStream serves: the certificate, its key and the chain to send.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <returns>The certificate, or null when no <c>--cert</c> was given (plain ws://).</returns>
    /// <exception cref="StartupException">A file is missing, unreadable, malformed, or the key does not match.</exception>
    public static TlsCertificate? Load(string? certificatePath, string? keyPath)
    {
        if (certificatePath is null)
        {
            return keyPath is null ? null : throw new StartupException("--key: needs --cert (the certificate this key belongs to)");
        }

        byte[] certificate = Read("--cert", certificatePath);
        return certificate.AsSpan().IndexOf("-----BEGIN "u8) >= 0
            ? FromPem(certificatePath, Encoding.ASCII.GetString(certificate), keyPath)
            : FromPkcs12(certificatePath, certificate, keyPath);
    }

    public void LogSummary(ILogger log)
    {
        if (Leaf.NotAfter < DateTime.Now || Leaf.NotBefore > DateTime.Now)
        {
            log.Warning("TLS certificate {Subject} is valid only from {NotBefore:u} to {NotAfter:u}: clients will refuse it",
                Leaf.Subject, Leaf.NotBefore.ToUniversalTime(), Leaf.NotAfter.ToUniversalTime());
        }

        log.Information("TLS certificate {Subject} ({Thumbprint}) valid until {NotAfter:u}, with {Intermediates} intermediate certificates",
            Leaf.Subject, Leaf.Thumbprint, Leaf.NotAfter.ToUniversalTime(), Intermediates);
    }

    private static TlsCertificate FromPem(string certificatePath, string certificatePem, string? keyPath)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            throw new StartupException($"--cert {certificatePath}: not a valid PEM certificate ({ex.Message})", ex);
        }

        if (chain.Count == 0)
        {
            throw new StartupException($"--cert {certificatePath}: no certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }

        var (keyOption, keyFile) = keyPath is null ? ("--cert", certificatePath) : ("--key", keyPath);
        string keyPem = keyPath is null ? certificatePem : Encoding.ASCII.GetString(Read("--key", keyPath));
        if (keyPem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new StartupException($"{keyOption} {keyFile}: the private key is encrypted; give an unencrypted key readable only by the service");
        }

        if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new StartupException(keyPath is null
                ? $"--cert {certificatePath}: no private key in it; give the key with --key"
                : $"--key {keyPath}: no private key in it (expected -----BEGIN PRIVATE KEY-----)");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new StartupException($"{keyOption} {keyFile}: the private key does not fit the certificate in --cert {certificatePath} ({ex.Message})", ex);
        }

        chain.RemoveAt(0);
        return new TlsCertificate(leaf, chain, certificatePath);
    }

    private static TlsCertificate FromPkcs12(string certificatePath, byte[] contents, string? keyPath)
    {
        if (keyPath is not null)
        {
            throw new StartupException($"--key: only with a PEM certificate (--cert {certificatePath} is not PEM, and a PKCS#12 file holds its own key)");
        }

        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12Collection(contents, password: null);
        }
        catch (CryptographicException ex)
        {
            throw new StartupException($"--cert {certificatePath}: neither PEM nor a PKCS#12 file without a password ({ex.Message})", ex);
        }

        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new StartupException($"--cert {certificatePath}: the PKCS#12 file holds no private key");
        all.Remove(leaf);
        return new TlsCertificate(leaf, all, certificatePath);
    }

    private static byte[] Read(string option, string path)
    {
        if (Directory.Exists(path))
        {
            throw new StartupException($"{option} {path}: is a directory, not a file");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StartupException($"{option} {path}: no such file", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException($"{option} {path}: permission denied (the daemon's user must be able to read it)", ex);
        }
        catch (IOException ex)
        {
            throw new StartupException($"{option} {path}: cannot read it ({ex.Message})", ex);
        }
    }
}
