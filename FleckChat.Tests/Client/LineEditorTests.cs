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

    private static string Press(LineEditor editor, params ConsoleKey[] keys)
    {
        string? result = null;
        foreach (var key in keys)
        {
            result = editor.Key(Key(key));
        }

        return result ?? "";
    }

    private static void Send(LineEditor editor, string line)
    {
        Type(editor, line);
        editor.Key(Key(ConsoleKey.Enter, '\r'));
    }

    [TestMethod]
    public void LeftArrow_ThenTyping_InsertsAtCursor()
    {
        var (editor, _) = Create();
        Type(editor, "helo");

        Press(editor, ConsoleKey.LeftArrow);
        Type(editor, "l");

        Assert.AreEqual("hello", editor.Current);
        Assert.AreEqual("hello", editor.Key(Key(ConsoleKey.Enter, '\r')));
    }

    [TestMethod]
    public void LeftArrow_Redraw_MovesTerminalCursorBack()
    {
        var (editor, output) = Create();
        Type(editor, "abcd");
        output.GetStringBuilder().Clear();

        Press(editor, ConsoleKey.LeftArrow, ConsoleKey.LeftArrow);

        Assert.EndsWith($"{Erase}> abcd\u001b[2D", output.ToString());
    }

    [TestMethod]
    public void PrintAbove_CursorInsideLine_LineAndCursorKept()
    {
        var (editor, output) = Create();
        Type(editor, "ac");
        Press(editor, ConsoleKey.LeftArrow);
        output.GetStringBuilder().Clear();

        editor.PrintAbove("[bob]: hi");
        Type(editor, "b");

        Assert.StartsWith($"{Erase}[bob]: hi\n{Erase}> ac\u001b[1D", output.ToString());
        Assert.AreEqual("abc", editor.Current);
    }

    [TestMethod]
    public void BackspaceAndDelete_InsideLine_RemoveBeforeAndAtCursor()
    {
        var (editor, _) = Create();
        Type(editor, "abXYcd");
        Press(editor, ConsoleKey.LeftArrow, ConsoleKey.LeftArrow, ConsoleKey.LeftArrow);

        editor.Key(Key(ConsoleKey.Backspace, '\b'));
        Press(editor, ConsoleKey.Delete);
        Type(editor, "_");

        Assert.AreEqual("ab_cd", editor.Current);
    }

    [TestMethod]
    public void ArrowsAndDelete_SurrogatePair_MovedOverAndRemovedWhole()
    {
        var (editor, _) = Create();
        Type(editor, "a\U0001F600b");

        Press(editor, ConsoleKey.LeftArrow, ConsoleKey.LeftArrow);
        Type(editor, "<");
        Press(editor, ConsoleKey.Delete);

        Assert.AreEqual("a<b", editor.Current);
    }

    [TestMethod]
    public void HomeEndAndCtrlACtrlE_JumpToEnds()
    {
        var (editor, _) = Create();
        Type(editor, "mid");

        Press(editor, ConsoleKey.Home);
        Type(editor, "[");
        Press(editor, ConsoleKey.End);
        Type(editor, "]");
        editor.Key(Key(ConsoleKey.A, '\u0001', control: true));
        Type(editor, "<");
        editor.Key(Key(ConsoleKey.E, '\u0005', control: true));
        Type(editor, ">");

        Assert.AreEqual("<[mid]>", editor.Current);
    }

    [TestMethod]
    public void ArrowsAtEnds_StayPut()
    {
        var (editor, _) = Create();
        Type(editor, "ab");

        Press(editor, ConsoleKey.RightArrow, ConsoleKey.Home, ConsoleKey.LeftArrow, ConsoleKey.Delete, ConsoleKey.Delete, ConsoleKey.Delete);
        editor.Key(Key(ConsoleKey.Backspace, '\b'));

        Assert.AreEqual("", editor.Current);
    }

    [TestMethod]
    public void UpArrow_AfterSending_RecallsNewestFirstAndStopsAtOldest()
    {
        var (editor, _) = Create();
        Send(editor, "first");
        Send(editor, "second");

        Press(editor, ConsoleKey.UpArrow);
        Assert.AreEqual("second", editor.Current);
        Press(editor, ConsoleKey.UpArrow, ConsoleKey.UpArrow);
        Assert.AreEqual("first", editor.Current);
        Type(editor, "!");
        Assert.AreEqual("first!", editor.Key(Key(ConsoleKey.Enter, '\r')));
    }

    [TestMethod]
    public void DownArrow_PastNewest_ReturnsLineBeingEdited()
    {
        var (editor, _) = Create();
        Send(editor, "sent");
        Type(editor, "draft");

        Press(editor, ConsoleKey.UpArrow);
        Assert.AreEqual("sent", editor.Current);
        Press(editor, ConsoleKey.DownArrow);
        Assert.AreEqual("draft", editor.Current);
        Press(editor, ConsoleKey.DownArrow);
        Assert.AreEqual("draft", editor.Current);
    }

    [TestMethod]
    public void History_RepeatsAndEmptyLinesSkipped_BoundedToCapacity()
    {
        var (editor, _) = Create();
        for (int i = 0; i <= LineHistory.Capacity; i++)
        {
            Send(editor, $"line {i}");
            Send(editor, $"line {i}");
            Send(editor, " ");
        }

        var recalled = new List<string>();
        for (int i = 0; i <= LineHistory.Capacity; i++)
        {
            Press(editor, ConsoleKey.UpArrow);
            recalled.Add(editor.Current);
        }

        Assert.AreEqual($"line {LineHistory.Capacity}", recalled[0]);
        Assert.AreEqual("line 1", recalled[LineHistory.Capacity - 1]);
        Assert.AreEqual("line 1", recalled[LineHistory.Capacity], "the oldest line fell out");
    }

    [TestMethod]
    public void LongLine_CursorMovedHome_WindowShowsCursor()
    {
        var (editor, output) = Create(width: 20);
        Type(editor, "START" + new string('x', 30));
        output.GetStringBuilder().Clear();

        Press(editor, ConsoleKey.Home);

        string drawn = output.ToString()[(output.ToString().LastIndexOf(Erase, StringComparison.Ordinal) + Erase.Length)..];
        Assert.AreEqual($"> START{new string('x', 12)}\u001b[17D", drawn);
    }
}
