using System.Net;
using FleckChat.Hosting;

namespace FleckChat.Client;

/// <summary>What <c>fleckchat client</c> was told on its command line (or through FLECKCHAT_CLIENT_* variables).</summary>
internal sealed record ClientOptions
{
    /// <summary>The daemon's default endpoint on this host (ws://127.0.0.1:PORT/PATH with the daemon's default port and path).</summary>
    public static readonly Uri DefaultUrl = new((new DaemonOptions() with { Bind = IPAddress.Loopback }).Location.ToString());

    public Uri Url { get; init; } = DefaultUrl;

    /// <summary>
    /// The name to ask for; it travels as <c>?name=</c> in the URL, as the wire protocol says. The
    /// command line refuses a name that differs from one already in <see cref="Url"/>.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>After standard input ends, the longest the client waits for replies still on their way.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The URL to connect to: <see cref="Url"/> with the name added to its query.</summary>
    public Uri ConnectUrl
    {
        get
        {
            if (string.IsNullOrEmpty(Name) || NameIn(Url) is not null)
            {
                return Url;
            }

            var builder = new UriBuilder(Url);
            string query = builder.Query.TrimStart('?');
            builder.Query = (query.Length > 0 ? query + "&" : "") + "name=" + Uri.EscapeDataString(Name);
            return builder.Uri;
        }
    }

    /// <summary>The value of the first <c>name=</c> in the URL's query, or null without one.</summary>
    public static string? NameIn(Uri url)
    {
        foreach (string pair in url.Query.TrimStart('?').Split('&'))
        {
            string[] parts = pair.Split('=', 2);
            if (parts.Length == 2 && Uri.UnescapeDataString(parts[0]) == "name")
            {
                return Uri.UnescapeDataString(parts[1]);
            }
        }

        return null;
    }
}
