using System.Net;
using System.Net.Sockets;
using FleckChat.Server;
using Microsoft.Extensions.Time.Testing;

namespace FleckChat.Tests.Server;

/// <summary>Accepted sockets counted from accept(): caps, shedding of unfinished handshakes, the connection bucket.</summary>
[TestClass]
public sealed class ConnectionSlotsTests : IDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");
    private readonly FakeTimeProvider _time = new();
    private readonly List<Socket> _sockets = [];

    [TestMethod]
    public void Admit_PerAddressCapAllOpen_RefusesWith503Reason()
    {
        var slots = Slots(new SlotLimits(0, 2, 0, 0, 0, 0));
        Open(slots, A);
        Open(slots, A.MapToIPv6());

        var third = slots.Admit(NewSocket(), A);

        Assert.IsNotNull(third.Refusal);
        Assert.Contains("at most 2", third.Refusal);
        Assert.IsEmpty(third.Shed);
        Assert.IsNull(slots.Admit(NewSocket(), B).Refusal);
    }

    [TestMethod]
    public void Admit_PerAddressCapWithHandshakes_ShedsThatAddressOldest()
    {
        var slots = Slots(new SlotLimits(0, 2, 0, 0, 0, 0));
        var otherAddress = slots.Admit(NewSocket(), B).Slot;
        var oldest = slots.Admit(NewSocket(), A).Slot;
        slots.Admit(NewSocket(), A);

        var third = slots.Admit(NewSocket(), A);

        Assert.IsNull(third.Refusal);
        Assert.AreSame(oldest, third.Shed.Single());
        Assert.AreEqual(SlotState.Shed, oldest.State);
        Assert.AreEqual(SlotState.Handshake, otherAddress.State);
        Assert.AreEqual(3, slots.Count);
    }

    [TestMethod]
    public void Admit_HandshakesPerAddressCap_ShedsOldestButKeepsOpenOnes()
    {
        var slots = Slots(new SlotLimits(0, 0, 0, 1, 0, 0));
        Open(slots, A);
        var waiting = slots.Admit(NewSocket(), A).Slot;

        var next = slots.Admit(NewSocket(), A);

        Assert.AreSame(waiting, next.Shed.Single());
        Assert.AreEqual(1, slots.Handshakes);
        Assert.AreEqual(2, slots.Count);
    }

    [TestMethod]
    public void Admit_GlobalHandshakeCap_ShedsGloballyOldest()
    {
        var slots = Slots(new SlotLimits(0, 0, 2, 0, 0, 0));
        var first = slots.Admit(NewSocket(), A).Slot;
        slots.Admit(NewSocket(), B);

        var third = slots.Admit(NewSocket(), B);

        Assert.AreSame(first, third.Shed.Single());
        Assert.AreEqual(2, slots.Handshakes);
    }

    [TestMethod]
    public void Admit_TotalCap_ShedsHandshakeFirst_RefusesOnlyWhenAllOpen()
    {
        var slots = Slots(new SlotLimits(2, 0, 0, 0, 0, 0));
        Open(slots, A);
        var waiting = slots.Admit(NewSocket(), B).Slot;

        var newcomer = slots.Admit(NewSocket(), B);
        Assert.AreSame(waiting, newcomer.Shed.Single());
        Assert.IsTrue(slots.Opened(newcomer.Slot));

        var refused = slots.Admit(NewSocket(), B);
        Assert.AreEqual("server full: 2 connections", refused.Refusal);
        Assert.AreEqual(2, slots.Count);
    }

    [TestMethod]
    public void Opened_AfterShed_ReturnsFalse()
    {
        var slots = Slots(new SlotLimits(0, 0, 1, 0, 0, 0));
        var first = slots.Admit(NewSocket(), A).Slot;
        slots.Admit(NewSocket(), A);

        Assert.IsFalse(slots.Opened(first));
        slots.Release(first);
        Assert.AreEqual(1, slots.Count);
    }

    [TestMethod]
    public void Admit_ConnectRate_RefusesBeyondBurst_RefillsOverWindow()
    {
        var slots = Slots(new SlotLimits(0, 0, 0, 0, 3, 3 / 30.0));
        for (int i = 0; i < 3; i++)
        {
            slots.Release(slots.Admit(NewSocket(), A).Slot);
        }

        var refused = slots.Admit(NewSocket(), A);
        Assert.AreEqual($"too many new connections from {A}", refused.Refusal);
        Assert.AreEqual(10, refused.RetryAfterSeconds);
        Assert.IsNull(slots.Admit(NewSocket(), B).Refusal);
        Assert.AreEqual(1, slots.Count);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.IsNull(slots.Admit(NewSocket(), A).Refusal);
        Assert.IsNotNull(slots.Admit(NewSocket(), A).Refusal);
    }

    [TestMethod]
    public void Admit_ManyRefusals_AnswersAtMostMaxRefusing_DropsTheRest()
    {
        var slots = Slots(new SlotLimits(0, 0, 0, 0, 1, 0.001));
        slots.Admit(NewSocket(), A);
        var first = slots.Admit(NewSocket(), A);
        Assert.IsFalse(first.Dropped);
        for (int i = 1; i < ConnectionSlots.MaxRefusing; i++)
        {
            Assert.IsFalse(slots.Admit(NewSocket(), A).Dropped);
        }

        var over = slots.Admit(NewSocket(), A);

        Assert.IsTrue(over.Dropped);
        Assert.IsNotNull(over.Refusal);
        slots.Release(first.Slot);
        Assert.IsFalse(slots.Admit(NewSocket(), A).Dropped);
    }

    [TestMethod]
    public void TakeExpired_ReturnsDueHandshakesOldestFirst_NotOpenOnes()
    {
        var slots = Slots(new SlotLimits(0, 0, 0, 0, 0, 0));
        var first = slots.Admit(NewSocket(), A).Slot;
        Open(slots, A);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = slots.Admit(NewSocket(), B).Slot;
        _time.Advance(TimeSpan.FromSeconds(1));
        slots.Admit(NewSocket(), B);

        var expired = slots.TakeExpired(second.AcceptedAt);

        CollectionAssert.AreEqual(new[] { first, second }, expired.ToArray());
        Assert.AreEqual(SlotState.TimedOut, first.State);
        Assert.AreEqual(1, slots.Handshakes);
        Assert.AreEqual(2, slots.Count);
        Assert.IsEmpty(slots.TakeExpired(second.AcceptedAt));
    }

    [TestMethod]
    public void Release_Twice_CountsOnce_PruneForgetsIdleAddresses()
    {
        var slots = Slots(new SlotLimits(0, 0, 0, 0, 2, 0.2));
        var slot = slots.Admit(NewSocket(), A).Slot;
        Assert.IsTrue(slots.Opened(slot));

        slots.Release(slot);
        slots.Release(slot);
        Assert.AreEqual(0, slots.Count);

        slots.Prune();
        Assert.AreEqual(1, slots.Addresses, "the bucket is still refilling");
        _time.Advance(TimeSpan.FromSeconds(5));
        slots.Prune();
        Assert.AreEqual(0, slots.Addresses);
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private ConnectionSlots Slots(SlotLimits limits) => new(limits, _time);

    private void Open(ConnectionSlots slots, IPAddress address)
    {
        var admission = slots.Admit(NewSocket(), address);
        Assert.IsNull(admission.Refusal);
        Assert.IsTrue(slots.Opened(admission.Slot));
    }

    private Socket NewSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        return socket;
    }
}
