namespace FleckChat.Chat;

/// <summary>
/// Chat-level counters for /metrics, updated with interlocked operations (no lock on the message
/// path). <see cref="RateLimited"/> is for the rate limit to call when it refuses a message.
/// </summary>
internal sealed class ChatMetrics
{
    private long _rateLimitHits;

    public long RateLimitHits => Interlocked.Read(ref _rateLimitHits);

    public void RateLimited() => Interlocked.Increment(ref _rateLimitHits);
}
