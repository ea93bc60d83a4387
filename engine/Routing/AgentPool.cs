using Engine.Agents;

namespace Engine.Routing;

/// <summary>
/// A skill group's view of its members: who is online and who can take a conversation now, kept
/// ordered by the group's policy so that picking is O(log n). The view may lag behind the agents;
/// the agent grain has the last word on every reservation.
/// </summary>
public sealed class AgentPool
{
    private readonly Dictionary<string, PoolEntry> _members = new(StringComparer.Ordinal);
    private SortedSet<PoolEntry> _available;
    private IAllocationPolicy _policy;
    private long _offerSeq;

    public AgentPool(IAllocationPolicy policy)
    {
        _policy = policy;
        _available = new SortedSet<PoolEntry>(policy);
    }

    public IAllocationPolicy Policy => _policy;
    public int MemberCount => _members.Count;
    public int AvailableCount => _available.Count;
    public int OnlineCount { get; private set; }
    public IEnumerable<string> Members => _members.Keys;

    public void SetPolicy(IAllocationPolicy policy)
    {
        if (ReferenceEquals(policy, _policy)) return;
        _policy = policy;
        _available = new SortedSet<PoolEntry>(_available, policy);
    }

    public bool IsMember(string agentId) => _members.ContainsKey(agentId);

    public bool IsAvailable(string agentId) => _members.TryGetValue(agentId, out var e) && e.Available;

    public PoolEntry? Find(string agentId) => _members.GetValueOrDefault(agentId);

    public void AddMember(string agentId) => _members.TryAdd(agentId, new PoolEntry(agentId));

    public void RemoveMember(string agentId)
    {
        if (!_members.Remove(agentId, out var entry)) return;
        if (entry.Available) _available.Remove(entry);
        if (entry.Online) OnlineCount--;
    }

    /// <summary>Applies an agent's report; reports older than what the pool has seen are ignored.</summary>
    public bool Update(AgentAvailability report)
    {
        if (!_members.TryGetValue(report.AgentId, out var entry) || report.Version <= entry.Version) return false;
        if (entry.Available) _available.Remove(entry);
        if (entry.Online) OnlineCount--;
        entry.Version = report.Version;
        entry.Online = report.Online;
        entry.Available = report.CanTake;
        entry.Load = report.Load;
        entry.IdleSince = report.IdleSince;
        if (entry.Online) OnlineCount++;
        if (entry.Available) _available.Add(entry);
        return true;
    }

    /// <summary>The agent refused a reservation: not available until it reports again.</summary>
    public void MarkUnavailable(string agentId)
    {
        if (!_members.TryGetValue(agentId, out var entry) || !entry.Available) return;
        _available.Remove(entry);
        entry.Available = false;
    }

    /// <summary>The agent accepted an offer from this group: round robin moves past them.</summary>
    public void RecordOffer(string agentId)
    {
        if (!_members.TryGetValue(agentId, out var entry)) return;
        if (entry.Available) _available.Remove(entry);
        entry.LastOfferSeq = ++_offerSeq;
        if (entry.Available) _available.Add(entry);
    }

    /// <summary>
    /// The first available agent in policy order who is not excluded. Excluded agents (they missed this
    /// conversation's offer) are eligible again only when every online member is excluded.
    /// </summary>
    public string? PickFor(IReadOnlyList<string> excluded)
    {
        if (_available.Count == 0) return null;
        if (excluded.Count == 0) return _available.Min!.AgentId;
        var excludeOnline = 0;
        foreach (var id in excluded)
        {
            if (_members.TryGetValue(id, out var e) && e.Online) excludeOnline++;
        }
        var honourExclusions = excludeOnline < OnlineCount;
        foreach (var entry in _available)
        {
            if (!honourExclusions || !excluded.Contains(entry.AgentId)) return entry.AgentId;
        }
        return null;
    }
}
