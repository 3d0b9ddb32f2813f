using System.Text.RegularExpressions;

namespace FleckChat.Chat.Names;

/// <summary>
/// What a member or room name may be: 1 to 32 letters, digits, <c>_</c>, <c>-</c> or <c>.</c>; not shaped
/// like a generated name (<c>user</c> and digits) and not a reserved word. Uniqueness is
/// <see cref="ChatHub"/>'s business.
/// </summary>
internal static partial class NameRules
{
    private const int MaxLength = 32;

    public const string Summary =
        "1-32 letters, digits, _ - or .; unique (ignoring case); not userN, server, system or admin";

    private static readonly string[] Reserved = ["server", "system", "admin"];

    /// <returns>null when the name may be claimed, otherwise why not.</returns>
    public static string? WhyNot(string name)
    {
        if (name.Length == 0)
        {
            return "a name needs at least one character";
        }

        if (name.Length > MaxLength)
        {
            return $"a name has at most {MaxLength} characters";
        }

        if (!Allowed().IsMatch(name))
        {
            return "a name may only contain letters, digits, _ - and .";
        }

        if (Generated().IsMatch(name))
        {
            return "names like userN are handed out by the server";
        }

        if (Reserved.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return $"{name.ToLowerInvariant()} is reserved";
        }

        return null;
    }

    /// <summary>Room names follow the same character rules; "user1" or "admin" are fine as rooms.</summary>
    public static bool IsValidRoom(string room) => room.Length is > 0 and <= MaxLength && Allowed().IsMatch(room);

    // \z, not $: $ also matches before a final line feed, which would let "alice\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\z")]
    private static partial Regex Allowed();

    [GeneratedRegex(@"^user[0-9]+\z", RegexOptions.IgnoreCase)]
    private static partial Regex Generated();
}
