namespace FleckChat.Fuzz;

/// <summary>The invariants every harness asserts; a failure throws <see cref="FuzzFinding"/>.</summary>
internal static class Check
{
    /// <summary>
    /// What every run may allocate whatever its input: a chat with four members, a request's
    /// dictionary, pooled buffers. On top of it a harness allows a constant per input byte; a parser
    /// that allocates more than linearly in what it was sent trips the bound once inputs grow.
    /// </summary>
    public const long FixedAllowance = 256 * 1024;

    public static void That(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new FuzzFinding(invariant);
        }
    }

    public static void Allocation(long allocated, int inputLength, int perInputByte) =>
        That(allocated <= FixedAllowance + ((long)perInputByte * inputLength),
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
