using System.Globalization;

namespace FleckChat.Chat.Names;

/// <summary>Generated member names: <c>user0</c>, <c>user1</c>, ... Thread-safe; a name is never handed out twice.</summary>
internal sealed class NameGenerator
{
    private long _next = -1;

    public string Next() => "user" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
}
