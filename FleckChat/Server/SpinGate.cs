using System.Diagnostics.CodeAnalysis;

namespace FleckChat.Server;

/// <summary>
/// A lock for the per-connection critical sections on the message path: each is a few dozen
/// instructions (append a frame, take the pending buffer) and two threads almost never meet in one.
/// Uncontended it is one compare-and-swap in and one store out, cheaper than Monitor on every
/// delivery (docs/performance.md, "Fan-out CPU"), and it lives inside its owner (an int), not in a
/// separate object. On contention it spins politely (SpinWait yields the CPU), so a holder
/// preempted on a single core gets to finish. Never hold it across an await or anything that blocks.
/// Use: <c>using (_gate.Enter()) { ... }</c> on a field, never on a copy.
/// </summary>
internal struct SpinGate
{
    private int _taken;

    [UnscopedRef]
    public Scope Enter()
    {
        if (Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
        {
            Wait();
        }

        return new Scope(ref _taken);
    }

    private void Wait()
    {
        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (Volatile.Read(ref _taken) != 0 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0);
    }

    /// <summary>Releases the gate when disposed.</summary>
    public readonly ref struct Scope
    {
        private readonly ref int _taken;

        public Scope(ref int taken) => _taken = ref taken;

        public void Dispose() => Volatile.Write(ref _taken, 0);
    }
}
