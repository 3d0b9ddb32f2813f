namespace FleckChat.Fuzz;

/// <summary>The invariants every harness asserts; a failure throws <see cref="FuzzFinding"/>.</summary>
internal static class Check
{
    /// <summary>
    /// What one input may allocate: a fixed allowance for the objects every run makes (a chat with three
    /// members, a request's dictionary) plus a constant per input byte. A parser that allocates more than
    /// linearly in what it was sent, or a fixed large buffer per request, trips it.
    /// </summary>
    private const long FixedAllowance = 256 * 1024;
    private const long PerInputByte = 512;

    public static void That(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new FuzzFinding(invariant);
        }
    }

    public static void Allocation(long allocated, int inputLength) =>
        That(allocated <= FixedAllowance + PerInputByte * inputLength,
            $"unbounded allocation: {allocated} bytes for {inputLength} input bytes");

    /// <summary>True when the text holds a character a terminal would act on: C0 except tab, DEL, C1, or a Unicode line or paragraph separator.</summary>
    public static bool HasControl(string text)
    {
        foreach (char c in text)
        {
            if ((c < ' ' && c != '\t') || (c >= '\u007F' && c <= '\u009F') || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }
}
