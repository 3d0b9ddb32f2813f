using System.Diagnostics.CodeAnalysis;
using FleckChat.Fuzz.Targets;

namespace FleckChat.Fuzz;

/// <summary>The harnesses by name; the names are also the folders of their seeds under fuzz/corpus/.</summary>
internal static class FuzzTargets
{
    private static readonly FuzzTarget[] All =
    [
        new("request", RequestTarget.Run, "GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray()),
        new("command", CommandTarget.Run, "/nick alice\0/who"u8.ToArray()),
        new("sanitizer", SanitizerTarget.Run, "hi\u001B[31m red\r\nnext"u8.ToArray()),
        new("json", JsonTarget.Run, """{"type":"message","text":"hi"}"""u8.ToArray()),
    ];

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static bool TryGet(string name, [NotNullWhen(true)] out FuzzTarget? target)
    {
        target = All.FirstOrDefault(t => t.Name == name);
        return target is not null;
    }
}

/// <summary>One harness: what it runs on an input, and an input to run once before fuzzing starts.</summary>
internal sealed record FuzzTarget(string Name, Action<byte[]> Test, byte[] WarmUp)
{
    /// <summary>Runs the harness on one input, then checks that it allocated no more than the input justifies.</summary>
    public void Run(byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Test(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Check.Allocation(allocated, input.Length);
    }
}
