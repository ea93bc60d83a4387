using System.Collections.Concurrent;

namespace Engine.Grains.Runtime;

/// <summary>A grain that receives durable reminders.</summary>
public interface IRemindable
{
    ValueTask ReceiveReminderAsync(string name, DateTimeOffset dueAt);
}

public sealed record ReminderEntry(GrainId Grain, string Name, DateTimeOffset DueAt);

/// <summary>Where reminders are kept so that they survive a restart.</summary>
public interface IReminderStore
{
    ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken);
    ValueTask DeleteAsync(GrainId grain, string name, CancellationToken cancellationToken);
    ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken);
}

public sealed class MemoryReminderStore : IReminderStore
{
    private readonly ConcurrentDictionary<(GrainId, string), ReminderEntry> _rows = new();

    public ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        _rows[(entry.Grain, entry.Name)] = entry;
        return default;
    }

    public ValueTask DeleteAsync(GrainId grain, string name, CancellationToken cancellationToken)
    {
        _rows.TryRemove((grain, name), out _);
        return default;
    }

    public ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken)
        => new(_rows.Values.ToList());
}

/// <summary>
/// Keeps one local timer per stored reminder. When it is due, the grain gets a turn (activated if
/// needed) that calls <see cref="IRemindable.ReceiveReminderAsync"/>; the stored row goes after that turn.
/// </summary>
internal sealed class ReminderService(GrainRuntime runtime, IReminderStore store)
{
    // The longest due time a System.Threading.Timer accepts (about 49.7 days); a reminder due later waits in steps.
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Dictionary<(GrainId, string), Armed> _armed = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get { lock (_gate) return _armed.Count; }
    }

    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in await store.ReadAllAsync(cancellationToken).ConfigureAwait(false)) Arm(entry);
    }

    public async ValueTask SetAsync(ReminderEntry entry)
    {
        await store.UpsertAsync(entry, CancellationToken.None).ConfigureAwait(false);
        Arm(entry);
    }

    public async ValueTask CancelAsync(GrainId grain, string name)
    {
        lock (_gate)
        {
            if (_armed.Remove((grain, name), out var armed)) armed.Timer.Dispose();
        }
        await store.DeleteAsync(grain, name, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Disarms every reminder of this runtime; the stored rows stay for the next start.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            foreach (var armed in _armed.Values) armed.Timer.Dispose();
            _armed.Clear();
        }
    }

    private void Arm(ReminderEntry entry)
    {
        var armed = new Armed(this, entry);
        // Created stopped and started once published: a timer due now may fire before CreateTimer returns.
        armed.Timer = runtime.Time.CreateTimer(static s => ((Armed)s!).Fire(), armed, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (_armed.Remove((entry.Grain, entry.Name), out var previous)) previous.Timer.Dispose();
            _armed[(entry.Grain, entry.Name)] = armed;
        }
        Start(armed);
    }

    private void Start(Armed armed)
    {
        var due = armed.Entry.DueAt - runtime.Time.GetUtcNow();
        armed.Timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due > MaxTimerDue ? MaxTimerDue : due, Timeout.InfiniteTimeSpan);
    }

    private void Fire(Armed armed)
    {
        if (armed.Entry.DueAt > runtime.Time.GetUtcNow())
        {
            // Woken by the cap on a timer's due time: wait for the rest (a disposed timer ignores this).
            Start(armed);
            return;
        }
        lock (_gate)
        {
            if (!_armed.TryGetValue((armed.Entry.Grain, armed.Entry.Name), out var current) || !ReferenceEquals(current, armed)) return;
            _armed.Remove((armed.Entry.Grain, armed.Entry.Name));
        }
        armed.Timer.Dispose();
        var entry = armed.Entry;
        runtime.Send(entry.Grain, new CallbackMessage(async grain =>
        {
            await ((IRemindable)grain).ReceiveReminderAsync(entry.Name, entry.DueAt).ConfigureAwait(false);
            bool rearmed;
            lock (_gate) rearmed = _armed.ContainsKey((entry.Grain, entry.Name));
            if (!rearmed) await store.DeleteAsync(entry.Grain, entry.Name, CancellationToken.None).ConfigureAwait(false);
        }));
    }

    private sealed class Armed(ReminderService owner, ReminderEntry entry)
    {
        public ReminderEntry Entry { get; } = entry;
        public ITimer Timer { get; set; } = null!;
        public void Fire() => owner.Fire(this);
    }
}
