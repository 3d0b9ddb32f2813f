using System.Text;
using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;

namespace FleckChat.Client;

/// <summary>
/// What the interactive client shows of a JSON connection, and what it needs to resume one
/// (docs/protocol.md, "Reconnecting"). Each event becomes the line the text format would have sent,
/// rendered by <see cref="TextFormat"/> itself so the two never drift apart; a room event is shown
/// once (by id, within one epoch), however often a reconnection brings it; the welcome's epoch and
/// resume token are kept for the next connection. Only the first welcome is shown.
/// </summary>
internal sealed class ResumeView
{
    private string? _epoch;
    private string? _token;
    private string? _name;
    private long _lastId;
    private bool _welcomed;

    /// <summary>The lines to show for one message from the server (none for what was shown already).</summary>
    public IReadOnlyList<string> Lines(string received)
    {
        if (JsonFormat.ReadEvent(received) is not { } e)
        {
            // Not an event this client knows (a newer server's): shown as it came rather than lost.
            return [received];
        }

        switch (e.Kind)
        {
            case ChatEventKind.Welcome:
                if (e.Epoch != _epoch)
                {
                    // The room's ids started again: what this client saw says nothing about the new ones.
                    _lastId = 0;
                }

                (_epoch, _token, _name) = (e.Epoch, e.Resume ?? _token, e.Name);
                bool first = !_welcomed;
                _welcomed = true;
                return first ? Render(e) : [];
            case ChatEventKind.History:
                var unseen = e.Events!.Where(Unseen).ToArray();
                return unseen.Length == 0 ? [] : Render(new ChatEvent { Kind = e.Kind, Room = e.Room, Timestamp = e.Timestamp, Events = unseen });
            default:
                // Our own join is never sent to us live; it only comes back in a replay of what we missed.
                return !Unseen(e) || (e.Kind == ChatEventKind.Join && e.Name == _name) ? [] : Render(e);
        }
    }

    /// <summary>
    /// Where to reconnect: <paramref name="url"/> with where this client left off and its resume token,
    /// once a welcome has given them. Without a room event seen yet there is nothing to resume from:
    /// the server's usual history says it best.
    /// </summary>
    public Uri ResumeUrl(Uri url)
    {
        var query = new StringBuilder(url.Query.TrimStart('?'));
        if (_epoch is not null && _lastId > 0)
        {
            Append(query, "since", _lastId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Append(query, "epoch", _epoch);
        }

        if (_token is not null)
        {
            Append(query, "resume", _token);
        }

        return new UriBuilder(url) { Query = query.ToString() }.Uri;
    }

    private static void Append(StringBuilder query, string name, string value) =>
        query.Append(query.Length > 0 ? "&" : "").Append(name).Append('=').Append(Uri.EscapeDataString(value));

    private static string[] Render(ChatEvent e) =>
        [.. TextFormat.Instance.RenderPrivate(e).Select(m => Encoding.UTF8.GetString(m.Payload))];

    /// <summary>True for an event without an id, or a room event newer than any seen; remembers the newest.</summary>
    private bool Unseen(ChatEvent e)
    {
        if (e.Id == 0)
        {
            return true;
        }

        if (e.Id <= _lastId)
        {
            return false;
        }

        _lastId = e.Id;
        return true;
    }
}
