namespace Engine.Routing;

/// <summary>RT-2 allocation priority.</summary>
[GenerateSerializer]
public enum AllocationPolicyKind
{
    /// <summary>按客服空闲时长: the agent idle for the longest time first.</summary>
    LongestIdle,

    /// <summary>按接听数量 / 空闲分配: fewest active conversations first, ties by longest idle.</summary>
    FewestActive,

    /// <summary>轮流分配: each available agent in turn.</summary>
    RoundRobin,
}

/// <summary>
/// The routing settings a skill group works with (ST-1 per mode, plus the group's own overflow list).
/// Seconds are validated here so that no grain runs with an out-of-range setting.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RoutingSettings
{
    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 90;

    [Id(0)]
    public AllocationPolicyKind Policy { get; init; } = AllocationPolicyKind.LongestIdle;

    /// <summary>RT-3 last-agent priority.</summary>
    [Id(1)]
    public bool LastAgentPriority { get; init; }

    /// <summary>RT-4 timeout transfer: off by default; when on, an offer not answered in T seconds moves on.</summary>
    [Id(2)]
    public bool TimeoutTransfer { get; init; }

    [Id(3)]
    public int TimeoutTransferSeconds { get; init; } = 30;

    /// <summary>AS-7 status recovery: when on, the agent is back to Idle N seconds after a call ends.</summary>
    [Id(4)]
    public bool StatusRecovery { get; init; }

    [Id(5)]
    public int StatusRecoverySeconds { get; init; } = 10;

    /// <summary>AS-6: how long a phone agent may choose between continue and wrap-up before going back to Idle.</summary>
    [Id(6)]
    public int AfterCallSeconds { get; init; } = 30;

    /// <summary>RT-4 (online): groups a conversation moves to when this group has not served it within T.</summary>
    [Id(7)]
    public IReadOnlyList<string> OverflowGroupIds { get; init; } = [];

    public TimeSpan? OfferTimeout => TimeoutTransfer ? TimeSpan.FromSeconds(TimeoutTransferSeconds) : null;

    /// <summary>What a phone or omni agent gets after a call (AS-6, AS-7): the conversation carries it to the agent.</summary>
    public AfterCallRule AfterCall => new(StatusRecovery ? StatusRecoverySeconds : AfterCallSeconds, StatusRecovery);

    /// <summary>Throws <see cref="RoutingSettingsException"/> naming the first field out of range.</summary>
    public RoutingSettings Validated()
    {
        CheckRange(nameof(TimeoutTransferSeconds), TimeoutTransferSeconds);
        CheckRange(nameof(StatusRecoverySeconds), StatusRecoverySeconds);
        if (AfterCallSeconds is < 1 or > 600)
            throw new RoutingSettingsException(nameof(AfterCallSeconds), "must be between 1 and 600 seconds");
        if (!Enum.IsDefined(Policy))
            throw new RoutingSettingsException(nameof(Policy), "is not a known allocation policy");
        if (OverflowGroupIds.Any(string.IsNullOrWhiteSpace))
            throw new RoutingSettingsException(nameof(OverflowGroupIds), "must not contain empty ids");
        return this;
    }

    private static void CheckRange(string field, int seconds)
    {
        if (seconds is < MinTimeoutSeconds or > MaxTimeoutSeconds)
            throw new RoutingSettingsException(field, $"must be between {MinTimeoutSeconds} and {MaxTimeoutSeconds} seconds");
    }
}

/// <summary>AS-6 / AS-7: how long the after-call window lasts, and whether status recovery also ends an explicit wrap-up.</summary>
[GenerateSerializer, Immutable]
public sealed record AfterCallRule(int WindowSeconds, bool StatusRecovery)
{
    public static readonly AfterCallRule Default = new RoutingSettings().AfterCall;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

[GenerateSerializer]
public sealed class RoutingSettingsException(string field, string reason)
    : StateMachines.DomainException($"{field} {reason}.")
{
    [Id(0)]
    public string Field { get; } = field;

    [Id(1)]
    public string Reason { get; } = reason;
}
