using FleckChat.Client;

namespace FleckChat.Tests.Client;

[TestClass]
public sealed class LineEditorTests
{
    private const string Erase = "\r\u001b[2K";

    private static ConsoleKeyInfo Char(char c) => new(c, ConsoleKey.NoName, false, false, false);

    private static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0', bool control = false) => new(c, key, false, false, control);

    private static (LineEditor Editor, StringWriter Output) Create(int width = 80)
    {
        var output = new StringWriter();
        return (new LineEditor(output, () => width), output);
    }

    private static string Type(LineEditor editor, string text)
    {
        string? result = null;
        foreach (char c in text)
        {
            result = editor.Key(Char(c));
        }

        return result ?? "";
    }

    [TestMethod]
    public void PrintAbove_WhileTyping_MessageAboveInputRedrawn()
    {
        var (editor, output) = Create();
        Type(editor, "hel");
        output.GetStringBuilder().Clear();

        editor.PrintAbove("[bob]: hi");

        Assert.AreEqual($"{Erase}[bob]: hi\n{Erase}> hel", output.ToString());
        Assert.AreEqual("hel", editor.Current);
    }

    [TestMethod]
    public void Enter_ReturnsLineAndClearsIt()
    {
        var (editor, _) = Create();
        Type(editor, "hello");

        Assert.AreEqual("hello", editor.Key(Key(ConsoleKey.Enter, '\r')));
        Assert.AreEqual("", editor.Current);
    }

    [TestMethod]
    public void Backspace_RemovesLastCharacterOrSurrogatePair()
    {
        var (editor, _) = Create();
        Type(editor, "ab\U0001F600");

        editor.Key(Key(ConsoleKey.Backspace, '\b'));
        Assert.AreEqual("ab", editor.Current);
        editor.Key(Key(ConsoleKey.Backspace, '\b'));
        Assert.AreEqual("a", editor.Current);
    }

    [TestMethod]
    public void CtrlU_ClearsLine_CtrlDOnEmpty_EndsInput()
    {
        var (editor, _) = Create();
        Type(editor, "oops");

        Assert.IsNull(editor.Key(Key(ConsoleKey.U, '\u0015', control: true)));
        Assert.AreEqual("", editor.Current);
        Assert.AreSame(LineEditor.EndOfInput, editor.Key(Key(ConsoleKey.D, '\u0004', control: true)));
    }

    [TestMethod]
    public void CtrlD_WithText_Ignored()
    {
        var (editor, _) = Create();
        Type(editor, "x");

        Assert.IsNull(editor.Key(Key(ConsoleKey.D, '\u0004', control: true)));
        Assert.AreEqual("x", editor.Current);
    }

    [TestMethod]
    public void ControlCharacters_NotInserted()
    {
        var (editor, _) = Create();

        Type(editor, "a\u001b[31mb");

        Assert.AreEqual("a[31mb", editor.Current);
    }

    [TestMethod]
    public void LongLine_OnlyTailShown_NeverWraps()
    {
        var (editor, output) = Create(width: 20);
        Type(editor, new string('x', 30) + "END");
        output.GetStringBuilder().Clear();

        editor.PrintAbove("m");

        string drawn = output.ToString()[(output.ToString().LastIndexOf(Erase, StringComparison.Ordinal) + Erase.Length)..];
        Assert.IsLessThan(20, drawn.Length);
        Assert.EndsWith("END", drawn);
    }
}
