using FleckChat.Fuzz;
using SharpFuzz;

// One executable for every harness:
//   FleckChat.Fuzz TARGET          one input on standard input; under afl-fuzz, SharpFuzz's fork
//                                  server runs it in a loop (fuzz/run.sh)
//   FleckChat.Fuzz TARGET FILE...  replays saved inputs (a crash, a corpus) in one process
// Any exception that escapes a target, including a broken invariant (FuzzFinding), is a crash.
if (args.Length < 1 || !FuzzTargets.TryGet(args[0], out var target))
{
    Console.Error.WriteLine($"usage: FleckChat.Fuzz {string.Join('|', FuzzTargets.Names)} [FILE...]");
    return 2;
}

if (args.Length > 1)
{
    target.Test(target.WarmUp);
    int failed = 0;
    long peak = 0;
    int peakInput = 0;
    foreach (var file in args[1..])
    {
        try
        {
            var input = File.ReadAllBytes(file);
            long allocated = target.Run(input);
            if (allocated > peak)
            {
                (peak, peakInput) = (allocated, input.Length);
            }
        }
        catch (Exception ex)
        {
            failed++;
            Console.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
            Console.WriteLine(ex.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("FleckChat.", StringComparison.Ordinal) && !l.Contains(".Fuzz.", StringComparison.Ordinal))?.Trim());
        }
    }

    // How close the inputs came to the allocation budget (docs/fuzzing.md, "Unbounded allocation").
    Console.WriteLine($"{args.Length - 1} inputs, {failed} failed; most allocated: {peak} bytes, for a {peakInput}-byte input " +
        $"(budget {Check.FixedAllowance} + {target.AllocationPerByte} per byte)");
    return failed == 0 ? 0 : 1;
}

// Static initialisation (lookup tables, JIT) would count against the first input's allocation
// budget, so each process first runs one known input. Only inside Run: the instrumented code needs
// the coverage map that Run sets up.
// FUZZ_FAILURE_LOG (set by fuzz/run.sh) names a file that gets every exception: a crash afl-fuzz
// saved without one there was a fuzzed process that died, not a finding of the harness.
bool warm = false;
string? failureLog = Environment.GetEnvironmentVariable("FUZZ_FAILURE_LOG");
Fuzzer.OutOfProcess.Run(stream =>
{
    if (!warm)
    {
        target.Test(target.WarmUp);
        warm = true;
    }

    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    var input = memory.ToArray();
    try
    {
        target.Run(input);
    }
    catch (Exception ex) when (failureLog is not null)
    {
        File.AppendAllText(failureLog, $"{DateTime.UtcNow:O} {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 64)))}: {ex.GetType().Name}: {ex.Message}\n");
        throw;
    }
});
return 0;
