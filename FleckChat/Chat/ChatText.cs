using System.Globalization;
using System.Text;

namespace FleckChat.Chat;

/// <summary>The lines the seed tutorial's chat sends, word for word.</summary>
internal static class ChatText
{
    public static string Greeting(int memberCount) =>
        string.Create(CultureInfo.InvariantCulture, $"You are connected! There are {memberCount} users here.");

    /// <summary>The UTF-8 prefix a member's relayed lines start with: <c>[user0]: </c>.</summary>
    public static byte[] LinePrefix(string name) => Encoding.UTF8.GetBytes("[" + name + "]: ");

    /// <summary><c>[user0]: hello</c> as UTF-8, built in one array from the member's cached prefix.</summary>
    public static byte[] Line(byte[] prefix, string text)
    {
        var line = new byte[prefix.Length + Encoding.UTF8.GetByteCount(text)];
        prefix.CopyTo(line, 0);
        Encoding.UTF8.GetBytes(text, line.AsSpan(prefix.Length));
        return line;
    }
}
