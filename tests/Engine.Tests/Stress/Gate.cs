namespace Engine.Tests.Stress;

/// <summary>
/// Lets a driver stop every other caller between their grain calls: callers wrap each call in
/// <see cref="EnterAsync"/> / <see cref="Exit"/>; <see cref="PauseAsync"/> completes once no caller is inside
/// and holds new ones at the door until <see cref="Resume"/>. With the runtime idle too, nothing moves: the
/// grains can be read as one consistent picture.
/// </summary>
public sealed class Gate
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _open = Opened();
    private TaskCompletionSource? _drained;
    private bool _paused;
    private int _inside;

    public async Task EnterAsync()
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (!_paused)
                {
                    _inside++;
                    return;
                }
                wait = _open.Task;
            }
            await wait;
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _inside--;
            if (_paused && _inside == 0) _drained?.TrySetResult();
        }
    }

    /// <summary>Runs <paramref name="call"/> inside the gate.</summary>
    public async Task RunAsync(Func<Task> call)
    {
        await EnterAsync();
        try
        {
            await call();
        }
        finally
        {
            Exit();
        }
    }

    public Task PauseAsync()
    {
        lock (_lock)
        {
            _paused = true;
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inside == 0) return Task.CompletedTask;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            _paused = false;
            _drained = null;
            _open.TrySetResult();
        }
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
