namespace FleckChat.Tests.Support;

/// <summary>A one-shot event a test can await (with <see cref="Wait.Bounded{T}(Task{T})"/>) instead of sleeping.</summary>
internal sealed class Signal<T>
{
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _source.Task;

    public void Set(T value) => _source.TrySetResult(value);
}
