namespace Engine.Benchmarks.Harness;

internal static class HarnessClock
{
    /// <summary>Completes after <paramref name="duration"/> of wall time: the harness's measured phases and handle times.</summary>
    public static Task WaitAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = TimeProvider.System.CreateTimer(static s => ((TaskCompletionSource)s!).TrySetResult(), done, duration, Timeout.InfiniteTimeSpan);
        var registration = cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetCanceled(), done);
        return done.Task.ContinueWith(t =>
        {
            timer.Dispose();
            registration.Dispose();
            return t;
        }, TaskScheduler.Default).Unwrap();
    }
}
