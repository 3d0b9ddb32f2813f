namespace FleckChat.Tests.Support;

/// <summary>The one bound every test wait uses: long enough for a loaded CI machine, short enough to fail fast.</summary>
internal static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task Bounded(this Task task) => task.WaitAsync(Timeout);
}
