namespace FleckChat.Fuzz;

/// <summary>A broken invariant: thrown by a harness so that afl-fuzz records the input as a crash.</summary>
internal sealed class FuzzFinding(string message) : Exception(message);
