namespace FleckChat.Soak;

internal static class TaskExtensions
{
    /// <summary>Awaits <paramref name="task"/>; a <see cref="TimeoutException"/> from WaitAsync runs <paramref name="onTimeout"/> instead of throwing.</summary>
    public static async Task ContinueOnTimeout(this Task task, Action onTimeout)
    {
        try
        {
            await task;
        }
        catch (TimeoutException)
        {
            onTimeout();
        }
    }
}
