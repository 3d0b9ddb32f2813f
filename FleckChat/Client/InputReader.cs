using System.Threading.Channels;

namespace FleckChat.Client;

/// <summary>
/// Reads standard input on a thread of its own (the console's reads block) into a channel the
/// client awaits. The thread is a background one, so a read still blocked never holds up the exit.
/// </summary>
internal static class InputReader
{
    /// <param name="readLine">Returns the next line, or null at the end of input.</param>
    public static ChannelReader<string> Start(Func<string?> readLine)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var thread = new Thread(() => Pump(readLine, channel.Writer)) { IsBackground = true, Name = "fleckchat client input" };
        thread.Start();
        return channel.Reader;
    }

    private static void Pump(Func<string?> readLine, ChannelWriter<string> writer)
    {
        try
        {
            while (readLine() is { } line)
            {
                writer.TryWrite(line);
            }

            writer.TryComplete();
        }
        catch (IOException)
        {
            // A broken terminal or pipe ends the input like Ctrl-D.
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
        }
    }
}
