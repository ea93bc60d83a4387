using Engine.Tests.Support;

namespace Engine.Tests.Support;

public sealed class ManualTimeProviderTests
{
    private static readonly TimeSpan Never = Timeout.InfiniteTimeSpan;

    [Fact]
    public void Starts_at_the_default_start_in_utc_and_moves_only_when_advanced()
    {
        var clock = new ManualTimeProvider();

        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.Equal(TimeZoneInfo.Utc, clock.LocalTimeZone);
        Assert.Equal(clock.GetUtcNow(), clock.GetLocalNow());

        var before = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 1, 30, TimeSpan.Zero), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(90), clock.GetElapsedTime(before));
    }

    [Fact]
    public void Start_time_is_configurable()
    {
        var start = new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.FromHours(2));

        var clock = new ManualTimeProvider(start);

        Assert.Equal(start, clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
    }

    [Fact]
    public void Advancing_by_a_negative_amount_is_refused()
    {
        var clock = new ManualTimeProvider();

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void One_shot_timer_fires_once_when_due_and_not_before()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(10), Never);

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(fired);

        clock.Advance(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal([ManualTimeProvider.DefaultStart.AddSeconds(10)], fired);
        Assert.Equal(0, clock.ArmedTimerCount);
    }

    [Fact]
    public void Periodic_timer_fires_once_per_period_crossed_and_sees_its_own_due_time()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));

        clock.Advance(TimeSpan.FromSeconds(10));

        var start = ManualTimeProvider.DefaultStart;
        Assert.Equal([start.AddSeconds(5), start.AddSeconds(7), start.AddSeconds(9)], fired);
        Assert.Equal(start.AddSeconds(10), clock.GetUtcNow());
    }

    [Fact]
    public void Timers_fire_in_due_time_order_and_ties_in_the_order_they_were_armed()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<string>();
        using var late = clock.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(3), Never);
        using var tieA = clock.CreateTimer(_ => fired.Add("tie-a"), null, TimeSpan.FromSeconds(2), Never);
        using var early = clock.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Never);
        using var tieB = clock.CreateTimer(_ => fired.Add("tie-b"), null, TimeSpan.FromSeconds(2), Never);

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(["early", "tie-a", "tie-b", "late"], fired);
    }

    [Fact]
    public void Timer_due_now_fires_on_the_next_advance_never_inside_create_timer()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;

        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.Zero, Never);
        Assert.Equal(0, fired);

        clock.Advance(TimeSpan.Zero);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Change_reschedules_from_now_and_infinite_due_time_disarms()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(timer.Change(TimeSpan.FromSeconds(10), Never));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, fired);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, fired);

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.True(timer.Change(Never, Never));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, fired);
    }

    [Fact]
    public async Task Disposed_timer_never_fires_and_refuses_change()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var other = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Never);

        timer.Dispose();
        await other.DisposeAsync();
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, fired);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Never));
        Assert.Equal(0, clock.ArmedTimerCount);
    }

    [Fact]
    public void Invalid_due_time_or_period_is_refused_like_a_system_timer()
    {
        var clock = new ManualTimeProvider();

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(-2), Never));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.FromDays(50), Never));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromDays(50)));
    }

    [Fact]
    public void Callback_can_arm_a_timer_that_fires_within_the_same_advance()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<DateTimeOffset>();
        ITimer? chained = null;
        using var first = clock.CreateTimer(
            _ => chained = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(2), Never),
            null,
            TimeSpan.FromSeconds(1),
            Never);

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([ManualTimeProvider.DefaultStart.AddSeconds(3)], fired);
        chained!.Dispose();
    }

    [Fact]
    public void Callback_can_dispose_a_timer_due_later_in_the_same_advance()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<string>();
        ITimer? victim = null;
        using var killer = clock.CreateTimer(_ => { fired.Add("killer"); victim!.Dispose(); }, null, TimeSpan.FromSeconds(1), Never);
        victim = clock.CreateTimer(_ => fired.Add("victim"), null, TimeSpan.FromSeconds(2), Never);

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(["killer"], fired);
    }

    [Fact]
    public void Periodic_callback_can_change_its_own_timer()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<DateTimeOffset>();
        ITimer? self = null;
        self = clock.CreateTimer(
            _ =>
            {
                fired.Add(clock.GetUtcNow());
                self!.Change(TimeSpan.FromSeconds(10), Never);
            },
            null,
            TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(30));

        // Re-armed one-shot 10 s out from each firing: the original 1 s period is gone.
        var start = ManualTimeProvider.DefaultStart;
        Assert.Equal([start.AddSeconds(1), start.AddSeconds(11), start.AddSeconds(21)], fired);
        self.Dispose();
    }

    [Fact]
    public void Callback_exception_reaches_the_caller_and_stops_the_clock_at_that_timer()
    {
        var clock = new ManualTimeProvider();
        using var timer = clock.CreateTimer(_ => throw new InvalidOperationException("tick failed"), null, TimeSpan.FromSeconds(2), Never);

        var error = Assert.Throws<InvalidOperationException>(() => clock.Advance(TimeSpan.FromSeconds(5)));

        Assert.Equal("tick failed", error.Message);
        Assert.Equal(ManualTimeProvider.DefaultStart.AddSeconds(2), clock.GetUtcNow());
    }

    [Fact]
    public void Concurrent_advances_add_up_and_every_period_fires_exactly_once()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = clock.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        const int threads = 8;
        const int steps = 200;

        Threads.RunTogether(threads, _ =>
        {
            for (var i = 0; i < steps; i++) clock.Advance(TimeSpan.FromSeconds(1));
        });

        Assert.Equal(ManualTimeProvider.DefaultStart.AddSeconds(threads * steps), clock.GetUtcNow());
        Assert.Equal(threads * steps, Volatile.Read(ref fired));
    }

    [Fact]
    public void Timers_created_while_another_thread_advances_each_fire_exactly_once()
    {
        var clock = new ManualTimeProvider();
        const int creators = 4;
        const int perCreator = 500;
        var counts = new int[creators * perCreator];
        var timers = new ITimer[counts.Length];
        var done = 0;

        Threads.RunTogether(creators + 1, index =>
        {
            if (index == creators)
            {
                while (Volatile.Read(ref done) < creators) clock.Advance(TimeSpan.FromMilliseconds(1));
                return;
            }
            for (var i = 0; i < perCreator; i++)
            {
                var slot = index * perCreator + i;
                timers[slot] = clock.CreateTimer(s => Interlocked.Increment(ref counts[(int)s!]), slot, TimeSpan.FromMilliseconds(i % 7), Never);
            }
            Interlocked.Increment(ref done);
        });
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.All(counts, count => Assert.Equal(1, count));
        Assert.Equal(0, clock.ArmedTimerCount);
    }

}
