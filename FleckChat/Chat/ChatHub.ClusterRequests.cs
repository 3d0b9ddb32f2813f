using FleckChat.Chat.Events;
using FleckChat.Cluster;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>
/// In a cluster, what a member asks of the room: lines appended to the room's log (refused while Redis
/// is unreachable), renames claimed across the cluster, whispers sent to the recipient's node,
/// <c>/who</c> and <c>/rooms</c> answered from presence. Each round trip holds the member's later input
/// until it is done, so a member's requests keep their order.
/// </summary>
internal sealed partial class ChatHub
{
    private void SayInCluster(Member member, ChatEventKind kind, IReadOnlyList<string> lines)
    {
        if (member.Room is not { } room)
        {
            return;
        }

        if (!_cluster!.IsUp || room.OpenLog is not { } log)
        {
            member.Send(Error(Unavailable));
            return;
        }

        var now = _time.GetUtcNow();
        var appends = new Task<long>[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            // Sent in order on one connection, so one member's lines keep their order in the room.
            appends[i] = log.AppendAsync(RoomEventCodec.Encode(new ChatEvent { Kind = kind, Room = room.Name, From = member.Name, Text = lines[i], Timestamp = now }));
        }

        _ = RefuseIfFailedAsync(member, appends);
        if (_log.IsEnabled(LogEventLevel.Verbose))
        {
            _log.Verbose("{Name} said {Text} to {Room}", member.Name, string.Join(" / ", lines), room.Name);
        }
    }

    private async Task RefuseIfFailedAsync(Member member, Task<long>[] appends)
    {
        try
        {
            await Task.WhenAll(appends).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error(Unavailable));
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Relaying {Name}'s line failed", member.Name);
        }
    }

    /// <summary>A join, leave or presence summary of this node's: appended for the room's one order; lost with Redis (it is only a notice).</summary>
    private void AppendNotice(ChatRoom room, ChatEvent notice)
    {
        if (room.OpenLog is { } log)
        {
            _ = AppendNoticeAsync(log, notice);
        }
    }

    private async Task AppendNoticeAsync(RoomLog log, ChatEvent notice)
    {
        try
        {
            await AppendAsync(log, notice).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            _log.Debug("A {Kind} notice for {Room} did not reach Redis ({Error})", notice.Kind, log.Room, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "A {Kind} notice for {Room} failed", notice.Kind, log.Room);
        }
    }

    private void RenameInCluster(Member member, ChatRoom room, string newName)
    {
        member.Held!.BeginWait();
        _ = RenameInClusterAsync(member, room, newName);
    }

    private async Task RenameInClusterAsync(Member member, ChatRoom room, string newName)
    {
        var cluster = _cluster!;
        string owner = Owner(member);
        try
        {
            if (!cluster.IsUp)
            {
                member.Send(Error($"the cluster store is unreachable; you are still {member.Name}"));
                return;
            }

            if (!await cluster.Names.TryClaimAsync(newName, owner, room.Name).ConfigureAwait(false))
            {
                member.Send(Error($"name {newName} is taken; you are still {member.Name}"));
                return;
            }

            string old;
            lock (_gate)
            {
                old = member.Name;
                if (member.Gone || member.Room != room)
                {
                    old = "";
                }
                else
                {
                    _names.Remove(old);
                    _names[newName] = member;
                    member.Named(newName);
                }
            }

            if (old.Length == 0)
            {
                await CleanUpAsync(room.Name, newName, owner).ConfigureAwait(false);
                return;
            }

            await ChangeNameAsync(room, old, newName, owner).ConfigureAwait(false);
            if (member.ResumeId is { } resumeId)
            {
                await cluster.Tokens.RenameAsync(resumeId, newName).ConfigureAwait(false);
            }

            _log.Information("{OldName} is now known as {Name} ({ConnectionId})", old, newName, member.Connection.ConnectionInfo.Id);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error($"the cluster store is unreachable; you are still {member.Name}"));
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Renaming {Name} failed", member.Name);
        }
        finally
        {
            TakeHeld(member);
        }
    }

    /// <summary>After the new name is claimed and taken locally: the old one released (unless only its case changed), presence moved, the room told.</summary>
    private async Task ChangeNameAsync(ChatRoom room, string old, string newName, string owner)
    {
        var cluster = _cluster!;
        if (!string.Equals(old, newName, StringComparison.OrdinalIgnoreCase))
        {
            await cluster.Names.ReleaseAsync(old, owner).ConfigureAwait(false);
        }

        await cluster.Presence.RemoveAsync(room.Name, old).ConfigureAwait(false);
        await cluster.Presence.AddAsync(room.Name, newName).ConfigureAwait(false);
        await AppendAsync(await room.Log!.ConfigureAwait(false), new ChatEvent
        {
            Kind = ChatEventKind.Rename, Room = room.Name, From = old, Name = newName, Timestamp = _time.GetUtcNow(),
        }).ConfigureAwait(false);
    }

    /// <summary>Called under the lock, for a name no member of this node has.</summary>
    private void WhisperAcrossCluster(Member member, string target, IReadOnlyList<string> lines)
    {
        if (!_cluster!.IsUp)
        {
            member.Send(Error(Unavailable));
            return;
        }

        member.Held!.BeginWait();
        _ = WhisperAcrossClusterAsync(member, target, lines);
    }

    private async Task WhisperAcrossClusterAsync(Member member, string target, IReadOnlyList<string> lines)
    {
        var cluster = _cluster!;
        try
        {
            if (await cluster.Names.OwnerAsync(target).ConfigureAwait(false) is not { } claim)
            {
                member.Send(Error($"no one called {target} is connected"));
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var line in lines)
            {
                var whisper = new ChatEvent { Kind = ChatEventKind.Whisper, From = member.Name, To = claim.Name, Text = line, Timestamp = now };
                await cluster.SendWhisperAsync(claim.Owner, RoomEventCodec.EncodeWhisper(whisper)).ConfigureAwait(false);
                member.Send(whisper);
            }

            _log.Verbose("{Name} whispered to {Target} on another node", member.Name, target);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error(Unavailable));
        }
        catch (Exception ex)
        {
            _log.Error(ex, "{Name}'s whisper failed", member.Name);
        }
        finally
        {
            TakeHeld(member);
        }
    }

    /// <summary>A whisper another node sent to one of this node's members.</summary>
    internal void WhisperArrived(ReadOnlyMemory<byte> whisper)
    {
        if (RoomEventCodec.DecodeWhisper(whisper.Span) is not { } e)
        {
            _log.Warning("A whisper from another node could not be read; ignored");
            return;
        }

        lock (_gate)
        {
            if (_names.TryGetValue(e.To!, out var to))
            {
                to.Send(e);
            }
        }
    }

    /// <summary>A question for Redis (/who, /rooms): the member's later input waits for the answer.</summary>
    private void AskCluster(Member member, Func<Member, Task> ask)
    {
        if (!_cluster!.IsUp)
        {
            member.Send(Error("the cluster store is unreachable; try again later"));
            return;
        }

        member.Held!.BeginWait();
        _ = AskClusterAsync(member, ask);
    }

    private async Task AskClusterAsync(Member member, Func<Member, Task> ask)
    {
        try
        {
            await ask(member).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterNode.IsFailure(ex))
        {
            member.Send(Error("the cluster store is unreachable; try again later"));
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Answering {Name} from the cluster failed", member.Name);
        }
        finally
        {
            TakeHeld(member);
        }
    }

    private async Task WhoInClusterAsync(Member member)
    {
        if (member.Room is { } room)
        {
            var names = await _cluster!.Presence.MembersAsync(room.Name).ConfigureAwait(false);
            member.Send(new ChatEvent { Kind = ChatEventKind.Who, Room = room.Name, Members = names, Timestamp = _time.GetUtcNow() });
        }
    }

    private async Task RoomsInClusterAsync(Member member)
    {
        var rooms = await _cluster!.Presence.RoomsAsync().ConfigureAwait(false);
        member.Send(new ChatEvent { Kind = ChatEventKind.Rooms, Rooms = rooms, Timestamp = _time.GetUtcNow() });
    }

    /// <summary>Ends the member's wait and handles the input held meanwhile, in order, until it waits again.</summary>
    private void TakeHeld(Member member)
    {
        var next = member.Held!.EndWait(out int turn);
        while (next is not null)
        {
            Handle(member, next);
            next = member.Held!.NextHeld(turn);
        }
    }
}
