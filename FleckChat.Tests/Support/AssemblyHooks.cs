namespace FleckChat.Tests.Support;

/// <summary>Once per test run.</summary>
[TestClass]
public static class AssemblyHooks
{
    [AssemblyCleanup]
    public static void DeletePublishedBuilds() => PublishedBuilds.Delete();
}
