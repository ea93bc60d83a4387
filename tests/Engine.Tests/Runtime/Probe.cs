using System.Collections.Concurrent;

namespace Engine.Tests.Runtime;

/// <summary>What test grains report to the test: counters, an event log, signals and gates, overlap tracking.</summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<object?>> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Overlap> _overlaps = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _events = new();

    public int Increment(string name) => _counts.AddOrUpdate(name, 1, static (_, n) => n + 1);

    public int Count(string name) => _counts.GetValueOrDefault(name);

    public void Record(string @event) => _events.Enqueue(@event);

    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>Completes <see cref="WhenSignaled"/> and opens <see cref="Gate"/> for <paramref name="name"/>.</summary>
    public void Signal(string name, object? value = null) => Slot(name).TrySetResult(value);

    public bool IsSignaled(string name) => Slot(name).Task.IsCompleted;

    public Task<object?> WhenSignaled(string name) => Slot(name).Task.WaitAsync(TestHost.HangGuard);

    /// <summary>For grains to await inside a turn; the test opens it with <see cref="Signal"/>.</summary>
    public Task Gate(string name) => Slot(name).Task;

    public void Enter(string name)
    {
        var overlap = _overlaps.GetOrAdd(name, static _ => new Overlap());
        var inside = Interlocked.Increment(ref overlap.Inside);
        int max;
        while (inside > (max = Volatile.Read(ref overlap.Max)) && Interlocked.CompareExchange(ref overlap.Max, inside, max) != max)
        {
        }
    }

    public void Exit(string name) => Interlocked.Decrement(ref _overlaps[name].Inside);

    /// <summary>The most callers ever inside <paramref name="name"/> at once.</summary>
    public int MaxInside(string name) => _overlaps.TryGetValue(name, out var overlap) ? Volatile.Read(ref overlap.Max) : 0;

    private TaskCompletionSource<object?> Slot(string name)
        => _signals.GetOrAdd(name, static _ => new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class Overlap
    {
        public int Inside;
        public int Max;
    }
}
