using System.Threading.Channels;

namespace FleckChat.Client;

/// <summary>
/// Standard input and output as plain lines, for pipes and scripts: each line read is sent, each
/// message received is printed as one line, nothing else is written to standard output. Control
/// characters are only stripped when the output is a terminal.
/// </summary>
internal sealed class PipeConsole : IClientConsole
{
    private readonly TextWriter _output;
    private readonly bool _sanitize;

    public PipeConsole(TextReader input, TextWriter output, bool outputIsTerminal)
    {
        _output = output;
        _sanitize = outputIsTerminal;
        Lines = InputReader.Start(input.ReadLine);
    }

    public ChannelReader<string> Lines { get; }

    public void ShowIncoming(string text) => _output.WriteLine(_sanitize ? TerminalText.Sanitize(text) : text);

    public void ShowInfo(string text)
    {
    }

    public void Finish() => _output.Flush();
}
