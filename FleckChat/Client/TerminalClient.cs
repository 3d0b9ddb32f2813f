using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using FleckChat.Chat.Formats;
using FleckChat.Hosting;

namespace FleckChat.Client;

/// <summary>
/// <c>fleckchat client</c>: joins a chat over WebSocket in the text format, sends each input line,
/// shows each message that arrives. When input ends it waits for the replies still on their way
/// (until nothing has arrived for <see cref="QuietPeriod"/>, at most <see cref="ClientOptions.Wait"/>),
/// closes with 1000 and exits 0. A connection that cannot be made, or that the server ends (other
/// than after <c>/quit</c>), is one line on standard error and a non-zero exit code.
/// At a terminal it speaks the JSON format instead, shows each event as the text format's line
/// (<see cref="ResumeView"/>), and after an unexpected end (<see cref="ClientEnding.CanResume"/>)
/// reconnects by itself and resumes where it left off; in a pipe a lost connection stays a clean failure.
/// </summary>
internal sealed class TerminalClient : IDisposable
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(3);

    private readonly ClientOptions _options;
    private readonly IClientConsole _console;
    private readonly TextWriter _errors;
    private readonly TimeProvider _time;

    /// <summary>Null in a pipe: the text format, no reconnecting.</summary>
    private readonly ResumeView? _view;
    private ClientWebSocket _socket = new();
    private ClientReceiver _receiver;
    private bool _leaving;

    private TerminalClient(ClientOptions options, IClientConsole console, TextWriter errors, bool reconnect, TimeProvider time)
    {
        _options = options;
        _console = console;
        _errors = errors;
        _time = time;
        _view = reconnect ? new ResumeView() : null;
        _receiver = NewReceiver();
    }

    /// <param name="reconnect">At a terminal: speak JSON and reconnect after an unexpected end. In a pipe: neither.</param>
    public static async Task<int> RunAsync(ClientOptions options, IClientConsole console, TextWriter errors, bool reconnect, TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var client = new TerminalClient(options, console, errors, reconnect, time);
        return await client.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _socket.Dispose();

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var url = _options.ConnectUrl;
        if (await ConnectAsync(url, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            return Fail(failure, ExitCodes.CannotConnect);
        }

        _console.ShowInfo($"Connected to {url}. Type /quit or press Ctrl-D to leave.");
        var receiving = _receiver.RunAsync();
        try
        {
            while (true)
            {
                var readable = _console.Lines.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(readable, receiving).ConfigureAwait(false) == receiving)
                {
                    var ending = await receiving.ConfigureAwait(false);
                    if (!await ReconnectAsync(ending, cancellationToken).ConfigureAwait(false))
                    {
                        return Ended(ending);
                    }

                    receiving = _receiver.RunAsync();
                    continue;
                }

                if (!await readable.ConfigureAwait(false))
                {
                    break;
                }

                await SendLinesAsync(cancellationToken).ConfigureAwait(false);
            }

            await DrainAsync(receiving, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: leave like at the end of input.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // A send failed: the connection is going, and the receiver says why.
        }

        return await LeaveAsync(receiving).ConfigureAwait(false);
    }

    private ClientReceiver NewReceiver() => new(_socket, _view is null ? _console.ShowIncoming : ShowEvent, CloseTimeout);

    private void ShowEvent(string received)
    {
        foreach (string line in _view!.Lines(received))
        {
            _console.ShowIncoming(line);
        }
    }

    /// <summary>
    /// After an unexpected end at a terminal: says so in one line, then tries again (with
    /// <see cref="ReconnectBackoff"/>) until a connection resumes where this one left off, or the user
    /// interrupts. False, at once, for an end that is final (or one the user asked for).
    /// </summary>
    private async Task<bool> ReconnectAsync(ClientEnding ending, CancellationToken cancellationToken)
    {
        if (_view is null || _leaving || !ending.CanResume)
        {
            return false;
        }

        _console.ShowInfo("* connection lost; reconnecting…");
        var backoff = new ReconnectBackoff(_time, Random.Shared);

        // The URL holds the resume token: it is never shown, and neither are the failed attempts.
        do
        {
            await backoff.WaitAsync(cancellationToken).ConfigureAwait(false);
            _socket.Dispose();
            _socket = new ClientWebSocket();
        }
        while (await ConnectAsync(_view.ResumeUrl(_options.ConnectUrl), cancellationToken).ConfigureAwait(false) is not null);

        _receiver = NewReceiver();
        _console.ShowInfo("* reconnected");
        return true;
    }

    private async Task SendLinesAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (_console.Lines.TryRead(out var line))
            {
                await SendAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (_view is not null && ex is WebSocketException or IOException)
        {
            // The connection is going: the receiver will see it end, and the reconnection begins there.
            // The line being sent is lost, as it could be in the network anyway: the user sees it missing.
            _socket.Abort();
        }
    }

    private async Task<string?> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        _socket.Options.CollectHttpResponseDetails = true;
        if (_view is not null)
        {
            _socket.Options.AddSubProtocol(JsonFormat.SubProtocol);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await _socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (WebSocketException) when (_socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            int status = (int)_socket.HttpStatusCode;
            return $"{url} refused the WebSocket handshake: {status} {Server.Handshake.HttpResponses.ReasonPhrase(status)}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"cannot connect to {url}: no answer within {ConnectTimeout.TotalSeconds} s";
        }
        catch (OperationCanceledException)
        {
            return $"cannot connect to {url}: interrupted";
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            var innermost = ex;
            while (innermost.InnerException is not null)
            {
                innermost = innermost.InnerException;
            }

            return $"cannot connect to {url}: {innermost.Message}";
        }
    }

    private async Task SendAsync(string line, CancellationToken cancellationToken)
    {
        line = line.TrimEnd('\r');
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        if (line.Equals("/quit", StringComparison.OrdinalIgnoreCase) || line.StartsWith("/quit ", StringComparison.OrdinalIgnoreCase))
        {
            // The server answers /quit by closing with 1000: an end the user asked for.
            _leaving = true;
        }

        await _socket.SendAsync(Encode(line), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A typed line as sent: itself in the text format; in JSON, what the text format would have made of it.</summary>
    private byte[] Encode(string line)
    {
        if (_view is null)
        {
            return Encoding.UTF8.GetBytes(line);
        }

        var input = TextFormat.Instance.Parse(line);
        var frame = new ClientFrame { Type = input.Kind == ClientInputKind.Command ? "command" : "message", Text = input.Text };
        return JsonSerializer.SerializeToUtf8Bytes(frame, ChatJsonContext.Default.ClientFrame);
    }

    /// <summary>After the end of input: wait until nothing has arrived for a moment, bounded by --wait.</summary>
    private async Task DrainAsync(Task<ClientEnding> receiving, CancellationToken cancellationToken)
    {
        long inputEnded = Stopwatch.GetTimestamp();
        while (!receiving.IsCompleted)
        {
            long now = Stopwatch.GetTimestamp();
            var quietLeft = QuietPeriod - Stopwatch.GetElapsedTime(Math.Max(_receiver.LastReceived, inputEnded), now);
            var waitLeft = _options.Wait - Stopwatch.GetElapsedTime(inputEnded, now);
            var delay = quietLeft < waitLeft ? quietLeft : waitLeft;
            if (delay <= TimeSpan.Zero)
            {
                return;
            }

            await Task.WhenAny(receiving, Task.Delay(delay, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task<int> LeaveAsync(Task<ClientEnding> receiving)
    {
        if (receiving.IsCompleted)
        {
            return Ended(await receiving.ConfigureAwait(false));
        }

        _leaving = true;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            await receiving.WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or TimeoutException)
        {
            // We are leaving anyway; a server that does not answer the close is simply left.
            _socket.Abort();
        }

        _console.Finish();
        return ExitCodes.Ok;
    }

    private int Ended(ClientEnding ending)
    {
        if (_leaving && ending.Error is null && ending.CloseCode == (int)WebSocketCloseStatus.NormalClosure)
        {
            _console.Finish();
            return ExitCodes.Ok;
        }

        return Fail(ending.Describe(), ExitCodes.ConnectionClosed);
    }

    private int Fail(string reason, int exitCode)
    {
        _console.Finish();
        _errors.WriteLine($"fleckchat client: {reason}");
        _errors.Flush();
        return exitCode;
    }
}
