using FleckChat.Fuzz;
using SharpFuzz;

// One executable for every harness: `FleckChat.Fuzz TARGET` reads one input from standard input.
// Under afl-fuzz (fuzz/run.sh) SharpFuzz's fork server runs it in a loop; any exception that escapes
// a target, including a broken invariant (FuzzFinding), is reported to afl-fuzz as a crash.
if (args.Length != 1 || !FuzzTargets.TryGet(args[0], out var target))
{
    Console.Error.WriteLine($"usage: FleckChat.Fuzz {string.Join('|', FuzzTargets.Names)}  (one input on standard input)");
    return 2;
}

// Static initialisation (lookup tables, JIT) would count against the first input's allocation
// budget, so each process first runs one known input. Only inside Run: the instrumented code needs
// the coverage map that Run sets up.
bool warm = false;
Fuzzer.OutOfProcess.Run(stream =>
{
    if (!warm)
    {
        target.Test(target.WarmUp);
        warm = true;
    }

    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    target.Run(memory.ToArray());
});
return 0;
