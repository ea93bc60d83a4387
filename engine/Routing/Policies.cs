namespace Engine.Routing;

/// <summary>A group's view of one member agent, as last reported by the agent grain.</summary>
public sealed class PoolEntry(string agentId)
{
    public string AgentId { get; } = agentId;
    public long Version { get; set; } = -1;
    public bool Online { get; set; }
    public bool Available { get; set; }
    public int Load { get; set; }
    public DateTimeOffset IdleSince { get; set; }

    /// <summary>Round robin: the group's offer counter when this agent last got an offer.</summary>
    public long LastOfferSeq { get; set; }
}

/// <summary>RT-2: an allocation policy orders the available agents; the first is offered first.</summary>
public interface IAllocationPolicy : IComparer<PoolEntry>
{
    AllocationPolicyKind Kind { get; }
}

/// <summary>按客服空闲时长: the agent whose work last changed longest ago first.</summary>
public sealed class LongestIdlePolicy : IAllocationPolicy
{
    public static readonly LongestIdlePolicy Instance = new();
    public AllocationPolicyKind Kind => AllocationPolicyKind.LongestIdle;

    public int Compare(PoolEntry? x, PoolEntry? y)
    {
        var c = x!.IdleSince.CompareTo(y!.IdleSince);
        return c != 0 ? c : string.CompareOrdinal(x.AgentId, y.AgentId);
    }
}

/// <summary>按接听数量 and 空闲分配: fewest conversations held first, ties by longest idle.</summary>
public sealed class FewestActivePolicy : IAllocationPolicy
{
    public static readonly FewestActivePolicy Instance = new();
    public AllocationPolicyKind Kind => AllocationPolicyKind.FewestActive;

    public int Compare(PoolEntry? x, PoolEntry? y)
    {
        var c = x!.Load.CompareTo(y!.Load);
        return c != 0 ? c : LongestIdlePolicy.Instance.Compare(x, y);
    }
}

/// <summary>轮流分配: the available agent who got an offer from this group least recently first.</summary>
public sealed class RoundRobinPolicy : IAllocationPolicy
{
    public static readonly RoundRobinPolicy Instance = new();
    public AllocationPolicyKind Kind => AllocationPolicyKind.RoundRobin;

    public int Compare(PoolEntry? x, PoolEntry? y)
    {
        var c = x!.LastOfferSeq.CompareTo(y!.LastOfferSeq);
        return c != 0 ? c : string.CompareOrdinal(x.AgentId, y.AgentId);
    }
}

public static class AllocationPolicies
{
    public static IAllocationPolicy For(AllocationPolicyKind kind) => kind switch
    {
        AllocationPolicyKind.LongestIdle => LongestIdlePolicy.Instance,
        AllocationPolicyKind.FewestActive => FewestActivePolicy.Instance,
        AllocationPolicyKind.RoundRobin => RoundRobinPolicy.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown allocation policy."),
    };
}
