using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// Certificates for a TLS-only test redis-server, made by openssl in the server's own directory: a CA, a server
/// certificate for 127.0.0.1 and localhost (serverAuth), a client certificate (clientAuth), and a second,
/// unrelated CA that signed nothing of this server's (what a daemon trusting the wrong CA, or a man in the
/// middle with his own CA, looks like).
/// </summary>
internal sealed class RedisTlsFiles
{
    private RedisTlsFiles(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaCertificate => Path.Combine(Directory, "ca.crt");

    public string ServerCertificate => Path.Combine(Directory, "server.crt");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public string ClientCertificate => Path.Combine(Directory, "client.crt");

    public string ClientKey => Path.Combine(Directory, "client.key");

    /// <summary>A CA that did not sign this server's certificate.</summary>
    public string OtherCaCertificate => Path.Combine(Directory, "other-ca.crt");

    public static async Task<RedisTlsFiles> CreateAsync(string directory)
    {
        var files = new RedisTlsFiles(directory);
        await files.CaAsync("ca", "TeleClaude Test CA");
        await files.CaAsync("other-ca", "Somebody Else's CA");
        await files.LeafAsync("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
        await files.LeafAsync("client", "teleclaude-daemon", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
        return files;
    }

    /// <summary>A TLS client stream to the server, presenting the client certificate and trusting only the CA.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner)
    {
        using var pem = X509Certificate2.CreateFromPemFile(ClientCertificate, ClientKey);
        var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaCertificate);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ClientCertificates = [client],
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        });
        return ssl;
    }

    private Task CaAsync(string name, string subject) => OpenSslAsync(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", Path.Combine(Directory, name + ".key"), "-out", Path.Combine(Directory, name + ".crt"),
        "-days", "2", "-subj", "/CN=" + subject,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    private async Task LeafAsync(string name, string commonName, string extensions)
    {
        var key = Path.Combine(Directory, name + ".key");
        var request = Path.Combine(Directory, name + ".csr");
        var extFile = Path.Combine(Directory, name + ".ext");
        await File.WriteAllTextAsync(extFile, extensions);
        await OpenSslAsync("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=" + commonName);
        await OpenSslAsync("x509", "-req", "-in", request, "-CA", CaCertificate, "-CAkey", Path.Combine(Directory, "ca.key"), "-CAcreateserial",
            "-out", Path.Combine(Directory, name + ".crt"), "-days", "2", "-extfile", extFile);
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("openssl is not installed; run `apt-get install -y openssl` (.ci/run does).", ex);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {await stderr}");
            }
        }
    }
}
