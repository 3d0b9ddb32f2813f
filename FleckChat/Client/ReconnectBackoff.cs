namespace FleckChat.Client;

/// <summary>
/// The waits between one lost connection's reconnection attempts: 0.5 s, doubling up to 15 s, each
/// ±30 % at random so that clients cut off together (a daemon restart) do not all come back in the
/// same instant. Timed through a <see cref="TimeProvider"/>, so tests need not wait.
/// </summary>
internal sealed class ReconnectBackoff(TimeProvider time, Random random)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(15);
    private const double Jitter = 0.3;

    private TimeSpan _next = First;

    /// <summary>Waits the next delay; throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var delay = _next * (1 + (Jitter * ((2 * random.NextDouble()) - 1)));
        _next = _next * 2 < Longest ? _next * 2 : Longest;
        return Task.Delay(delay, time, cancellationToken);
    }
}
