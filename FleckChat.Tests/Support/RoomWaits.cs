using FleckChat.Chat;

namespace FleckChat.Tests.Support;

internal static class RoomWaits
{
    /// <summary>Completes when the room has <paramref name="count"/> members (bounded), woken by the room's own event.</summary>
    public static async Task WaitForCountAsync(this ChatHub room, int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(int current)
        {
            if (current == count)
            {
                reached.TrySetResult();
            }
        }

        room.CountChanged += OnChange;
        try
        {
            if (room.Count != count)
            {
                await reached.Task.Bounded();
            }
        }
        finally
        {
            room.CountChanged -= OnChange;
        }
    }
}
