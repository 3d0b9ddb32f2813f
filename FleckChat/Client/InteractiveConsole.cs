using System.Threading.Channels;

namespace FleckChat.Client;

/// <summary>
/// A person at a terminal: keys are read one by one into a <see cref="LineEditor"/>, and messages
/// from the server are printed above the input line, their control characters made harmless.
/// </summary>
internal sealed class InteractiveConsole : IClientConsole
{
    private readonly LineEditor _editor;

    public InteractiveConsole()
    {
        _editor = new LineEditor(Console.Out, () => Console.WindowWidth);
        Lines = InputReader.Start(ReadLine);
    }

    public ChannelReader<string> Lines { get; }

    public void ShowIncoming(string text) => _editor.PrintAbove(TerminalText.Sanitize(text));

    public void ShowInfo(string text) => _editor.PrintAbove(text);

    public void Finish() => _editor.Clear();

    private string? ReadLine()
    {
        _editor.Start();
        while (true)
        {
            string? line = _editor.Key(Console.ReadKey(intercept: true));
            if (ReferenceEquals(line, LineEditor.EndOfInput))
            {
                return null;
            }

            if (line is not null)
            {
                return line;
            }
        }
    }
}
