using System.Globalization;
using Serilog;
using StackExchange.Redis;

namespace FleckChat.Cluster;

/// <summary>
/// This daemon as one node of a cluster: its link to Redis, the shared names and presence, the rooms'
/// logs, the shared resume tokens, and its own channel <c>fc:node:ID</c> on which other nodes send
/// whispers for its members and word that one of them resumed elsewhere.
/// What the chat does with them is <see cref="Chat.ChatHub"/>'s; this type only reaches Redis.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>A room's stream keeps at least this many events, so a node that missed some during a blip can fill the gap.</summary>
    private const int MinimumKept = 1000;

    private readonly RedisLink _link;
    private readonly int _keep;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private readonly TimeSpan _resumeLifetime;
    private NameClaims? _names;
    private RoomPresence? _presence;
    private ClusterTokens? _tokens;
    private ChannelMessageQueue? _messages;
    private Action<ReadOnlyMemory<byte>>? _messageHandler;
    private long _clusterMembers = -1;

    /// <param name="history">How many past events newcomers are shown; the rooms' streams keep at least that many.</param>
    /// <param name="resumeLifetime">How long a resume token lives after its member's connection ended.</param>
    public ClusterNode(RedisLink link, TimeSpan lease, int history, TimeSpan resumeLifetime, ILogger log, TimeProvider time)
    {
        _link = link;
        Lease = lease;
        _resumeLifetime = resumeLifetime;
        _keep = Math.Max(history, MinimumKept);
        _log = log;
        _time = time;
        _link.Up += OnUp;
    }

    /// <summary>What the chat does when Redis is reachable again after an outage (run on a client thread, its failure logged).</summary>
    public Func<Task>? Recover { get; set; }

    /// <summary>This node's token, part of every name claim it makes: <c>ID/CONNECTION</c>.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>How long a dead node's names and presence outlive its last heartbeat.</summary>
    public TimeSpan Lease { get; }

    public RedisLink Link => _link;

    /// <summary>True once started and while Redis can be reached.</summary>
    public bool IsUp => _names is not null && _link.IsUp;

    public NameClaims Names => _names ?? throw new InvalidOperationException("the cluster node has not started");

    public RoomPresence Presence => _presence ?? throw new InvalidOperationException("the cluster node has not started");

    public ClusterTokens Tokens => _tokens ?? throw new InvalidOperationException("the cluster node has not started");

    /// <summary>Members on every node, as presence counted them at the last heartbeat; -1 before the first.</summary>
    public long ClusterMembers
    {
        get => Interlocked.Read(ref _clusterMembers);
        set => Interlocked.Exchange(ref _clusterMembers, value);
    }

    /// <summary>How a command fails when Redis cannot be reached or the link is closing: what the chat answers as "unavailable".</summary>
    public static bool IsFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>The owner token of one of this node's connections.</summary>
    public string OwnerOf(string connectionId) => Id + "/" + connectionId;

    /// <summary>
    /// Connects (or starts down, see <see cref="RedisLink"/>) and listens for whispers to this node's
    /// members (and word of members that resumed elsewhere), which <paramref name="messageHandler"/> gets (on a client thread).
    /// </summary>
    public async Task StartAsync(Action<ReadOnlyMemory<byte>> messageHandler, CancellationToken cancellationToken)
    {
        _messageHandler = messageHandler;
        await _link.StartAsync(cancellationToken).ConfigureAwait(false);
        var redis = _link.Redis!;
        _names = new NameClaims(redis, Lease);
        _presence = new RoomPresence(redis, Lease, _time);
        _tokens = new ClusterTokens(redis, _resumeLifetime);
        if (_link.IsUp)
        {
            await SubscribeWhispersAsync().ConfigureAwait(false);
        }
    }

    public Task<RoomLog> OpenRoomAsync(string room, IRoomLogReader reader) => RoomLog.OpenAsync(_link.Redis!, room, _keep, reader, _log);

    /// <summary>Sends a whisper (JSON, starting with <c>{</c>) to the node that holds <paramref name="owner"/> (a name claim's owner token).</summary>
    public Task SendWhisperAsync(string owner, byte[] whisper) => _link.Redis!.GetSubscriber().PublishAsync(NodeChannel(NodeOf(owner)), whisper);

    /// <summary>Tells the node of <paramref name="previous"/> that its member <paramref name="name"/> resumed elsewhere: <c>resumed OWNER\nNAME</c>.</summary>
    public Task SendResumedAsync(string previous, string name) =>
        _link.Redis!.GetSubscriber().PublishAsync(NodeChannel(NodeOf(previous)), "resumed " + previous + "\n" + name);

    private static string NodeOf(string owner)
    {
        int slash = owner.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? owner : owner[..slash];
    }

    public async ValueTask DisposeAsync()
    {
        _link.Up -= OnUp;
        if (_messages is { } whispers)
        {
            try
            {
                await whispers.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _log.Debug(ex, "Unsubscribing from the node's channel failed");
            }
        }

        await _link.DisposeAsync().ConfigureAwait(false);
        _subscribing.Dispose();
    }

    private static RedisChannel NodeChannel(string node) => RedisChannel.Literal("fc:node:" + node);

    private void OnUp()
    {
        _ = AfterUpAsync();
    }

    /// <summary>Subscribes to the node's channel if a start while Redis was down could not, then tells the chat.</summary>
    private async Task AfterUpAsync()
    {
        try
        {
            await SubscribeWhispersAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _log.Warning(ex, "Subscribing to the node's channel failed; whispers from other nodes cannot reach this node's members");
        }

        try
        {
            if (Recover is { } recover)
            {
                await recover().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Recovering after Redis came back failed");
        }
    }

    private async Task SubscribeWhispersAsync()
    {
        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_messages is not null || _messageHandler is not { } handler)
            {
                return;
            }

            var queue = await _link.Redis!.GetSubscriber().SubscribeAsync(NodeChannel(Id)).ConfigureAwait(false);
            queue.OnMessage(message => handler((byte[])message.Message!));
            _messages = queue;
            _log.Debug("Listening on {Channel}", string.Create(CultureInfo.InvariantCulture, $"fc:node:{Id}"));
        }
        finally
        {
            _subscribing.Release();
        }
    }
}
