using FleckChat.Chat;
using FleckChat.Tests.Support;

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
        var member = NewMember();

        Assert.IsFalse(member.Hold("now"));
    }

    [TestMethod]
    public void Waiting_InputHeld_HandedBackInOrderWhenTheWaitEnds()
    {
        var member = NewMember();
        member.BeginWait();
        Assert.IsTrue(member.Hold("a"));
        Assert.IsTrue(member.Hold("b"));

        var taken = TakeAll(member, member.EndWait(out int turn), turn);

        CollectionAssert.AreEqual(new[] { "a", "b" }, taken);
        Assert.IsFalse(member.Hold("c"), "nothing held and nobody waiting: handled at once");
    }

    [TestMethod]
    public void WhileHeldInputIsTaken_NewInputQueuesBehindIt()
    {
        var member = NewMember();
        member.BeginWait();
        member.Hold("a");
        string? first = member.EndWait(out int turn);

        // The taker handles "a"; meanwhile the receive loop gets "b": it must not overtake.
        Assert.IsTrue(member.Hold("b"));

        CollectionAssert.AreEqual(new[] { "a", "b" }, TakeAll(member, first, turn));
    }

    [TestMethod]
    public void HeldInputStartsAnotherWait_TakerStops_TheWaitsEndTakesOver()
    {
        var member = NewMember();
        member.BeginWait();
        member.Hold("/nick x");
        member.Hold("after");
        member.Hold("more");
        string? first = member.EndWait(out int turn);
        Assert.AreEqual("/nick x", first);

        // Handling the rename starts a wait: the first taker must stop, even once that wait has ended.
        member.BeginWait();
        string? second = member.EndWait(out int secondTurn);
        Assert.AreEqual("after", second);
        Assert.IsNull(member.NextHeld(turn), "the old taker stops: one taker at a time");
        Assert.AreEqual("more", member.NextHeld(secondTurn));
        Assert.IsNull(member.NextHeld(secondTurn));
    }

    [TestMethod]
    public void HeldInput_Bounded()
    {
        var member = NewMember();
        member.BeginWait();
        for (int i = 0; i < 1000; i++)
        {
            member.Hold(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var taken = TakeAll(member, member.EndWait(out int turn), turn);

        Assert.HasCount(64, taken);
        Assert.AreEqual("63", taken[^1]);
    }

    private static List<string> TakeAll(Member member, string? next, int turn)
    {
        var taken = new List<string>();
        while (next is not null)
        {
            taken.Add(next);
            next = member.NextHeld(turn);
        }

        return taken;
    }

    private static Member NewMember()
    {
        using var hub = new ChatHub(new ChatOptions(), Serilog.Core.Logger.None);
        return new Member(hub, new FakeConnection(), limiter: null, now: 0);
    }
}
