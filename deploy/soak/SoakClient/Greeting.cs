using System.Text.RegularExpressions;

namespace FleckChat.Soak;

/// <summary>The first line every new connection must get.</summary>
internal static partial class Greeting
{
    public static bool IsValid(string? line) => line is not null && Pattern().IsMatch(line);

    [GeneratedRegex("^You are connected! There are [0-9]+ users? here\\.$")]
    private static partial Regex Pattern();
}
