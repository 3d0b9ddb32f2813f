using System.Globalization;
using System.Text;
using FleckChat.Chat.Commands;
using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
using FleckChat.Chat.Safety;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>What members send: limits first, then commands or relay.</summary>
internal sealed partial class ChatServer
{
    private long _rateLimitHits;

    internal void Receive(Member member, string received)
    {
        member.Active(_time.GetTimestamp());
        if (member.Room is null)
        {
            return;
        }

        var input = member.Format.Parse(received);
        if (input.Kind == ClientInputKind.Invalid)
        {
            member.Send(Error(input.Text));
            return;
        }

        if (input.Text.Length * 3 > _options.MaxTextBytes && Encoding.UTF8.GetByteCount(input.Text) > _options.MaxTextBytes)
        {
            member.Send(Error(string.Create(CultureInfo.InvariantCulture, $"message too long: at most {_options.MaxTextBytes} bytes; not sent")));
            return;
        }

        var lines = TextSanitizer.Lines(input.Text);
        if (lines.Count == 0 || !Allow(member, lines.Count))
        {
            return;
        }

        if (input.Kind == ClientInputKind.Command)
        {
            ChatCommands.Execute(this, member, lines);
        }
        else
        {
            Say(member, ChatEventKind.Message, lines);
        }
    }

    /// <summary>The chat is text only: binary messages are skipped. One shared handler, not one per member.</summary>
    private static void SkipBinary(byte[] data)
    {
    }

    /// <summary>Relays lines to the member's room as messages or actions, one event per line.</summary>
    internal void Say(Member member, ChatEventKind kind, IReadOnlyList<string> lines)
    {
        int count;
        lock (_gate)
        {
            if (member.Room is not { } room)
            {
                return;
            }

            var now = _time.GetUtcNow();
            byte[]? prefix = kind == ChatEventKind.Message ? member.LinePrefix : null;
            foreach (var line in lines)
            {
                room.Broadcast(new ChatEvent { Kind = kind, Room = room.Name, From = member.Name, Text = line, Timestamp = now, LinePrefix = prefix });
            }

            count = room.Count;
        }

        if (_log.IsEnabled(LogEventLevel.Verbose))
        {
            _log.Verbose("{Name} said {Text} to {Count} members", member.Name, string.Join(" / ", lines), count);
        }
    }

    internal void Whisper(Member member, string target, IReadOnlyList<string> lines)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(target, out var to))
            {
                member.Send(Error($"no one called {target} is connected"));
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var line in lines)
            {
                var whisper = new ChatEvent { Kind = ChatEventKind.Whisper, From = member.Name, To = to.Name, Text = line, Timestamp = now };
                to.Send(whisper);
                if (to != member)
                {
                    member.Send(whisper);
                }
            }
        }

        _log.Verbose("{Name} whispered to {Target}", member.Name, target);
    }

    /// <summary>
    /// Applies the rate limit. A refused member is told once per window and a flooding one disconnected
    /// once: a flood of messages must not turn into a flood of replies and log lines.
    /// </summary>
    private bool Allow(Member member, int cost)
    {
        var decision = member.Limiter?.TryTake(cost) ?? RateDecision.Allowed;
        if (decision == RateDecision.Allowed)
        {
            return true;
        }

        Interlocked.Increment(ref _rateLimitHits);
        if (decision == RateDecision.Dropped)
        {
            return false;
        }

        string limit = string.Create(CultureInfo.InvariantCulture, $"at most {_options.RateLimit.Count} messages per {_options.RateLimit.Window.TotalSeconds:0.###} s");
        if (decision == RateDecision.Flooding)
        {
            member.Send(Error($"flooding: over the limit ({limit}) too long; disconnecting"));
            member.Connection.Close(1008, "flooding");
            _log.Warning("Disconnecting {Name} ({ConnectionId}) for flooding", member.Name, member.Connection.ConnectionInfo.Id);
        }
        else
        {
            member.Send(Error($"slow down: {limit}; message dropped"));
            _log.Debug("Rate limit refused a message from {Name}", member.Name);
        }

        return false;
    }

    private void CloseIdleMembers()
    {
        long now = _time.GetTimestamp();
        List<Member> idle = [];
        lock (_gate)
        {
            foreach (var room in _rooms.Values)
            {
                idle.AddRange(room.Members.Where(m => _time.GetElapsedTime(m.LastActivity, now) >= _options.IdleTimeout));
            }
        }

        foreach (var member in idle)
        {
            member.Send(Error(string.Create(CultureInfo.InvariantCulture, $"idle for {_options.IdleTimeout.TotalSeconds:0.###} s; disconnecting")));
            member.Connection.Close(1000, "idle timeout");
            _log.Information("Disconnecting {Name} ({ConnectionId}): idle", member.Name, member.Connection.ConnectionInfo.Id);
        }
    }
}
