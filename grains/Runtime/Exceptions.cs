namespace Engine.Grains.Runtime;

/// <summary>An awaited grain call did not complete within the runtime's call timeout.</summary>
public sealed class GrainCallTimeoutException(GrainId? caller, GrainId callee, TimeSpan timeout)
    : TimeoutException($"Call from {caller?.ToString() ?? "client"} to {callee} timed out after {timeout.TotalSeconds:0.#} s (the callee is busy; a cycle of awaited calls shows up this way)")
{
    public GrainId? Caller { get; } = caller;
    public GrainId Callee { get; } = callee;
}

/// <summary>A state write carried an ETag that no longer matches the stored one.</summary>
public sealed class InconsistentStateException(GrainId grain, string? expected, string? actual)
    : Exception($"State of {grain} was changed by someone else (expected ETag '{expected ?? "none"}', stored '{actual ?? "none"}')")
{
    public GrainId Grain { get; } = grain;
}

/// <summary>The activation could not be created or its state could not be read.</summary>
public sealed class GrainActivationException(GrainId grain, Exception inner)
    : Exception($"Activation of {grain} failed: {inner.Message}", inner);
