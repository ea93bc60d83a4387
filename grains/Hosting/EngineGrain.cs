using Engine.StateMachines;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Grains.Hosting;

/// <summary>What the engine's call filter asks of a grain after each call.</summary>
internal interface IEngineGrain
{
    /// <summary>Tells Orleans whether idle collection may take this activation, after a call that may have changed it.</summary>
    void ApplyKeepAlive();
}

/// <summary>
/// Base of the engine's grains: tenant and key from the primary key (<c>tenant/key</c>), the persistent state,
/// the clock, and deadline timers whose ticks come back as one-way calls to the grain itself (ordinary turns).
/// Rule checks run before any change, so a <see cref="DomainException"/> leaves memory as stored; after any other
/// failure the call filter drops the activation and the next call reads what is stored.
/// </summary>
public abstract class EngineGrain<TState>(IPersistentState<TState> state, TimeProvider time) : Grain, IEngineGrain, IIncomingGrainCallFilter where TState : class, new()
{
    private Quiescence? _quiescence;
    private string? _tenant;
    private string? _key;

    protected string Tenant => _tenant ?? SplitKey().Tenant;

    protected string Key => _key ?? SplitKey().Key;

    protected IPersistentState<TState> State => state;

    protected TimeProvider Time => time;

    protected DateTimeOffset Now => time.GetUtcNow();

    private bool _keptAlive;

    /// <summary>While true, idle collection passes this activation by (an online agent, a non-empty queue, a live conversation).</summary>
    public virtual bool KeepAlive => false;

    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
        => EngineCalls.Invoke(context, this, _quiescence ??= ServiceProvider.GetRequiredService<Quiescence>());

    void IEngineGrain.ApplyKeepAlive()
    {
        if (KeepAlive == _keptAlive) return;
        _keptAlive = KeepAlive;
        DelayDeactivation(_keptAlive ? TimeSpan.MaxValue : TimeSpan.Zero);
    }

    /// <summary>
    /// A timer that calls <paramref name="tick"/> once, when the clock reaches <paramref name="due"/>; <paramref name="tick"/>
    /// makes a one-way call to this grain, so the deadline runs as a turn of whichever activation then holds it.
    /// </summary>
    protected IDisposable ArmTimer(DateTimeOffset due, Action tick) => new DeadlineTimer(time, due, tick);

    /// <summary>
    /// A one-shot timer for a deadline on the clock. Real timers may fire a little before the clock reads their due
    /// time; such a tick waits out the rest instead of reaching the grain early (where its deadline, not yet due,
    /// would be dropped and never fire again).
    /// </summary>
    private sealed class DeadlineTimer : IDisposable
    {
        private readonly TimeProvider _time;
        private readonly DateTimeOffset _due;
        private readonly Action _tick;
        private readonly Lock _gate = new();
        private ITimer? _timer;
        private bool _disposed;

        public DeadlineTimer(TimeProvider time, DateTimeOffset due, Action tick)
        {
            (_time, _due, _tick) = (time, due, tick);
            Start();
        }

        private void Start()
        {
            var dueIn = _due - _time.GetUtcNow();
            lock (_gate)
            {
                if (_disposed) return;
                _timer?.Dispose();
                // A deadline is the grain's own: its tick must not carry the context of the call that armed it (the
                // Orleans request context, such as an admin's audit record, flows with the execution context).
                if (ExecutionContext.IsFlowSuppressed()) _timer = Create(dueIn);
                else using (ExecutionContext.SuppressFlow()) _timer = Create(dueIn);
            }
        }

        private ITimer Create(TimeSpan dueIn)
            => _time.CreateTimer(static s => ((DeadlineTimer)s!).Fired(), this, dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn, Timeout.InfiniteTimeSpan);

        private void Fired()
        {
            if (_time.GetUtcNow() < _due) Start();
            else _tick();
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _timer?.Dispose();
                _timer = null;
            }
        }
    }

    /// <summary>A write of the state and a history record started together (one group-commit batch); both awaited, also when the first fails.</summary>
    protected static async ValueTask Together(Task stateWrite, ValueTask record)
    {
        try
        {
            await stateWrite;
        }
        finally
        {
            await record;
        }
    }

    private (string Tenant, string Key) SplitKey()
    {
        var split = EngineKey.Split(this.GetPrimaryKeyString());
        // One string per tenant id for all its grains (tenants are few, their grains many: ~50 B an activation).
        _tenant = string.Intern(split.Tenant);
        _key = split.Key;
        return split;
    }
}
