using System.Globalization;
using FleckChat.Chat.Safety;

namespace FleckChat.Chat;

/// <summary>
/// What a connection's request target asks for: the path (its room), and in the query a name
/// (<c>name=alice</c>) and, when reconnecting, where it left off (<c>since=ID&amp;epoch=EPOCH</c>) and
/// its resume token (<c>resume=TOKEN</c>). Unknown parameters are ignored.
/// </summary>
internal readonly record struct JoinTarget(string Path, string? Name, long? Since, string? Epoch, string? Resume)
{
    public static JoinTarget Parse(string target)
    {
        int q = target.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return new JoinTarget(target, null, null, null, null);
        }

        string? name = null, epoch = null, resume = null;
        long? since = null;
        foreach (var pair in target[(q + 1)..].Split('&'))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            string value = Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            switch (pair[..eq])
            {
                // Cleaned like a chat line, so invisible and bidirectional characters never reach the name rules.
                case "name" when name is null:
                    name = TextSanitizer.Clean(value);
                    break;
                case "since" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long id):
                    since = id;
                    break;
                case "epoch":
                    epoch = value;
                    break;
                case "resume":
                    resume = value;
                    break;
            }
        }

        return new JoinTarget(target[..q], name, since, epoch, resume);
    }
}
