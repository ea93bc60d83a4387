namespace Engine.Grains.Runtime;

public sealed class RuntimeOptions
{
    /// <summary>An awaited call that waits longer than this fails with <see cref="GrainCallTimeoutException"/>.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An activation that received no message for this long is deactivated.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the runtime looks for timed-out calls and idle activations.</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Count in-flight messages so that <see cref="GrainRuntime.WhenIdle"/> works (tests); costs a shared counter.</summary>
    public bool TrackQuiescence { get; set; }

    /// <summary>Messages one activation processes before it yields its thread to others.</summary>
    public int MaxBatch { get; set; } = 64;
}
