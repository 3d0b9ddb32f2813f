using System.Diagnostics.CodeAnalysis;
using FleckChat.Fuzz.Targets;

namespace FleckChat.Fuzz;

/// <summary>The harnesses by name; the names are also the folders of their seeds under fuzz/corpus/.</summary>
internal static class FuzzTargets
{
    private static readonly FuzzTarget[] All =
    [
        // Budgets per input byte: a few times what one pass makes, times the passes the harness runs
        // (the request is read three times and parsed again; a command's lines reach four members).
        new("request", RequestTarget.Run, "GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), 128),
        new("command", CommandTarget.Run, "/nick alice\0/who"u8.ToArray(), 512),
        new("sanitizer", SanitizerTarget.Run, "hi\u001B[31m red\r\nnext"u8.ToArray(), 64),
        new("json", JsonTarget.Run, """{"type":"message","text":"hi"}"""u8.ToArray(), 64),
    ];

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static bool TryGet(string name, [NotNullWhen(true)] out FuzzTarget? target)
    {
        target = All.FirstOrDefault(t => t.Name == name);
        return target is not null;
    }
}

/// <summary>
/// One harness: what it runs on an input, an input to run once before fuzzing starts, and how many
/// bytes it may allocate per input byte (over a fixed allowance) before that counts as unbounded.
/// </summary>
internal sealed record FuzzTarget(string Name, Action<byte[]> Test, byte[] WarmUp, int AllocationPerByte)
{
    /// <summary>Runs the harness on one input, checks what it allocated, and returns that.</summary>
    public long Run(byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Test(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Check.Allocation(allocated, input.Length, AllocationPerByte);
        return allocated;
    }
}
