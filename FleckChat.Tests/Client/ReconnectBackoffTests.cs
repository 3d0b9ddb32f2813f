using FleckChat.Client;
using FleckChat.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FleckChat.Tests.Client;

[TestClass]
public sealed class ReconnectBackoffTests
{
    [TestMethod]
    public async Task WaitAsync_NoJitter_HalfSecondDoublingUpTo15()
    {
        var time = new FakeTimeProvider();
        var backoff = new ReconnectBackoff(time, new FixedRandom(0.5));

        foreach (double seconds in new[] { 0.5, 1, 2, 4, 8, 15, 15 })
        {
            await AssertWaitsAsync(backoff, time, TimeSpan.FromSeconds(seconds));
        }
    }

    [TestMethod]
    [DataRow(0.0, 0.35)]
    [DataRow(1.0, 0.65)]
    public async Task WaitAsync_Jitter_30PercentEitherWay(double random, double seconds)
    {
        var time = new FakeTimeProvider();

        await AssertWaitsAsync(new ReconnectBackoff(time, new FixedRandom(random)), time, TimeSpan.FromSeconds(seconds));
    }

    [TestMethod]
    public async Task WaitAsync_Cancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        var waiting = new ReconnectBackoff(new FakeTimeProvider(), new FixedRandom(0.5)).WaitAsync(cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAsync<TaskCanceledException>(() => waiting.WaitAsync(Wait.Timeout));
    }

    [TestMethod]
    [DataRow(null, "reset", true)]
    [DataRow(1011, "", true)]
    [DataRow(1012, "", true)]
    [DataRow(1013, "cluster store unreachable", true)]
    [DataRow(1000, "bye", false)]
    [DataRow(1001, "server shutting down", true)]
    [DataRow(1008, "", false)]
    [DataRow(4000, "resumed on another connection", false)]
    [DataRow(1002, "", false)]
    [DataRow(1007, "", false)]
    [DataRow(1009, "", false)]
    public void CanResume_OnlyAfterABreakOrAPassingServerTrouble(int? code, string reason, bool expected) =>
        Assert.AreEqual(expected, (code is null ? ClientEnding.Broken(reason) : new ClientEnding(code, reason, null)).CanResume);

    private static async Task AssertWaitsAsync(ReconnectBackoff backoff, FakeTimeProvider time, TimeSpan expected)
    {
        var waiting = backoff.WaitAsync(CancellationToken.None);
        time.Advance(expected - TimeSpan.FromMilliseconds(1));
        Assert.IsFalse(waiting.IsCompleted, $"done before {expected}");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(Wait.Timeout);
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
