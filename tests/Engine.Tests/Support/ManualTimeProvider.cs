namespace Engine.Tests.Support;

/// <summary>
/// A clock that only moves when a test says so. <see cref="Advance"/> steps the clock to each timer's due
/// time in order and runs its callback there, synchronously on the calling thread and outside the internal
/// lock, so a callback may create, change or dispose timers (a timer it arms that falls due before the
/// target fires in the same call). Timers never fire inside <see cref="CreateTimer"/> or
/// <see cref="ITimer.Change"/>: one due now fires on the next <see cref="Advance"/>, even <c>Advance(TimeSpan.Zero)</c>.
/// A callback that throws stops the advance at that timer's due time and the exception reaches the caller.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    // Same bounds as System.Threading.Timer, so that code which would throw in production throws here too.
    private static readonly TimeSpan MaxDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _armed = [];
    private long _now;
    private long _horizon;
    private long _sequence;

    public ManualTimeProvider()
        : this(DefaultStart)
    {
    }

    public ManualTimeProvider(DateTimeOffset start)
    {
        _now = start.UtcTicks;
        _horizon = _now;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers that are armed (created or changed with a finite due time, not yet fired if one-shot, not disposed).</summary>
    public int ArmedTimerCount
    {
        get { lock (_gate) return _armed.Count; }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return new DateTimeOffset(_now, TimeSpan.Zero);
    }

    public override long GetTimestamp()
    {
        lock (_gate) return _now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way, in
    /// due-time order (ties in the order they were armed); a periodic timer fires once per period crossed.
    /// Concurrent calls add up.
    /// </summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            _horizon = Math.Max(_horizon, _now) + delta.Ticks;
            target = _horizon;
        }
        while (true)
        {
            TimerCallback callback;
            object? state;
            lock (_gate)
            {
                var next = NextDue(target);
                if (next is null)
                {
                    _now = Math.Max(_now, target);
                    return;
                }
                _now = Math.Max(_now, next.DueAt);
                if (next.Period > 0)
                {
                    next.DueAt += next.Period;
                    next.Sequence = ++_sequence;
                }
                else
                {
                    Disarm(next);
                }
                callback = next.Callback;
                state = next.State;
            }
            callback(state);
        }
    }

    private ManualTimer? NextDue(long target)
    {
        ManualTimer? next = null;
        foreach (var timer in _armed)
        {
            if (timer.DueAt > target) continue;
            if (next is null || timer.DueAt < next.DueAt || (timer.DueAt == next.DueAt && timer.Sequence < next.Sequence)) next = timer;
        }
        return next;
    }

    private void Disarm(ManualTimer timer)
    {
        if (!timer.Armed) return;
        timer.Armed = false;
        _armed.Remove(timer);
    }

    private static void Validate(TimeSpan value, string name)
    {
        if (value == Timeout.InfiniteTimeSpan) return;
        if (value < TimeSpan.Zero || value > MaxDue) throw new ArgumentOutOfRangeException(name, value, "Must be Timeout.InfiniteTimeSpan or between zero and 4294967294 ms.");
    }

    private bool Change(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        Validate(dueTime, nameof(dueTime));
        Validate(period, nameof(period));
        lock (_gate)
        {
            if (timer.Disposed) return false;
            Disarm(timer);
            if (dueTime == Timeout.InfiniteTimeSpan) return true;
            timer.DueAt = _now + dueTime.Ticks;
            timer.Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            timer.Sequence = ++_sequence;
            timer.Armed = true;
            _armed.Add(timer);
            return true;
        }
    }

    private void Dispose(ManualTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            Disarm(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        // Guarded by owner._gate.
        public long DueAt;
        public long Period;
        public long Sequence;
        public bool Armed;
        public bool Disposed;

        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Change(this, dueTime, period);

        public void Dispose() => owner.Dispose(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
