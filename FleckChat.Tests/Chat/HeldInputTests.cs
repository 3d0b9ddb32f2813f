using FleckChat.Chat;

namespace FleckChat.Tests.Chat;

/// <summary>
/// A member's input while it waits for the cluster (its join, a rename, a question at Redis): held in
/// order and handed back in order, by one taker at a time. In memory, no Redis.
/// </summary>
[TestClass]
public sealed class HeldInputTests
{
    [TestMethod]
    public void NotWaiting_NothingHeld()
    {
        var held = new HeldInput();

        Assert.AreEqual(Holding.HandleNow, held.Hold("now"));
    }

    [TestMethod]
    public void Waiting_InputHeld_HandedBackInOrderWhenTheWaitEnds()
    {
        var held = new HeldInput();
        held.BeginWait();
        Assert.AreEqual(Holding.Held, held.Hold("a"));
        Assert.AreEqual(Holding.Held, held.Hold("b"));

        var taken = TakeAll(held, held.EndWait(out int turn), turn);

        CollectionAssert.AreEqual(new[] { "a", "b" }, taken);
        Assert.AreEqual(Holding.HandleNow, held.Hold("c"), "nothing held and nobody waiting: handled at once");
    }

    [TestMethod]
    public void WhileHeldInputIsTaken_NewInputQueuesBehindIt()
    {
        var held = new HeldInput();
        held.BeginWait();
        held.Hold("a");
        string? first = held.EndWait(out int turn);

        // The taker handles "a"; meanwhile the receive loop gets "b": it must not overtake.
        Assert.AreEqual(Holding.Held, held.Hold("b"));

        CollectionAssert.AreEqual(new[] { "a", "b" }, TakeAll(held, first, turn));
    }

    [TestMethod]
    public void HeldInputStartsAnotherWait_TakerStops_TheWaitsEndTakesOver()
    {
        var held = new HeldInput();
        held.BeginWait();
        held.Hold("/nick x");
        held.Hold("after");
        held.Hold("more");
        string? first = held.EndWait(out int turn);
        Assert.AreEqual("/nick x", first);

        // Handling the rename starts a wait: the first taker must stop, even once that wait has ended.
        held.BeginWait();
        string? second = held.EndWait(out int secondTurn);
        Assert.AreEqual("after", second);
        Assert.IsNull(held.NextHeld(turn), "the old taker stops: one taker at a time");
        Assert.AreEqual("more", held.NextHeld(secondTurn));
        Assert.IsNull(held.NextHeld(secondTurn));
    }

    [TestMethod]
    public void HeldInput_Bounded_TheRestRefusedNotDropped()
    {
        var held = new HeldInput();
        held.BeginWait();
        var results = Enumerable.Range(0, 1000).Select(i => held.Hold(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var taken = TakeAll(held, held.EndWait(out int turn), turn);

        Assert.HasCount(64, taken);
        Assert.AreEqual("63", taken[^1]);
        Assert.IsTrue(results.Take(64).All(r => r == Holding.Held));
        Assert.AreEqual(Holding.Full, results[64], "the caller is told, so the member can be");
        Assert.IsTrue(results.Skip(65).All(r => r == Holding.Dropped), "once");

        // Taken: the next overflow is said again.
        held.BeginWait();
        for (int i = 0; i < 64; i++)
        {
            Assert.AreEqual(Holding.Held, held.Hold("again"));
        }

        Assert.AreEqual(Holding.Full, held.Hold("one too many"));
    }

    private static List<string> TakeAll(HeldInput held, string? next, int turn)
    {
        var taken = new List<string>();
        while (next is not null)
        {
            taken.Add(next);
            next = held.NextHeld(turn);
        }

        return taken;
    }
}
