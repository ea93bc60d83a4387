using Engine.Tests.Routing;
using System.Text;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Routing;

namespace Engine.Tests.Properties;

/// <summary>What must hold at every quiescent point, checked on the grains' snapshots.</summary>
public static class RoutingInvariants
{
    public sealed record Observation(
        IReadOnlyDictionary<string, AgentSnapshot> Agents,
        IReadOnlyDictionary<string, SkillGroupSnapshot> Groups,
        IReadOnlyDictionary<string, ConversationSnapshot?> Conversations)
    {
        public static readonly Observation Empty = new(
            new Dictionary<string, AgentSnapshot>(), new Dictionary<string, SkillGroupSnapshot>(), new Dictionary<string, ConversationSnapshot?>());

        public string Describe()
        {
            var text = new StringBuilder();
            foreach (var a in Agents.Values)
            {
                text.Append($"  {a.AgentId} {a.Presence}/{a.Status}");
                if (a.BreakReason != BreakReason.None) text.Append($" ({a.BreakReason})");
                text.AppendLine(a.Work.Count == 0 ? "" : ": " + string.Join(", ", a.Work.Select(w => $"{w.ConversationId} {w.Stage} from {w.GroupId}")));
            }
            foreach (var g in Groups.Values)
                text.AppendLine($"  {g.GroupId} queue [{string.Join(", ", g.Queue)}], {g.OnlineAgents} online, {g.AvailableAgents} available (group's view)");
            foreach (var (id, c) in Conversations)
            {
                text.AppendLine(c is null
                    ? $"  {id} completed or never created"
                    : $"  {id} {c.Status} in {c.GroupId} at {c.AgentId ?? "-"}{(c.ExcludedAgents.Count > 0 ? $", excluded {string.Join(",", c.ExcludedAgents)}" : "")}");
            }
            return text.ToString();
        }
    }

    public static Task<Observation> ObserveAsync(RoutingHost host, World world, IEnumerable<string> conversationIds)
        => ObserveAsync(host.Grains, host.IdleAsync, host.TenantId, world.Agents.Select(a => a.Id), World.Groups, conversationIds);

    /// <summary>Snapshots of the given grains, one by one: a true picture only when nothing else runs (quiescence).</summary>
    public static async Task<Observation> ObserveAsync(IGrainFactory grains, Func<Task> idle, string tenant, IEnumerable<string> agentIds, IEnumerable<string> groupIds, IEnumerable<string> conversationIds)
    {
        var agents = new Dictionary<string, AgentSnapshot>(StringComparer.Ordinal);
        foreach (var id in agentIds) agents[id] = await grains.Agent(tenant, id).GetSnapshot();
        var groups = new Dictionary<string, SkillGroupSnapshot>(StringComparer.Ordinal);
        foreach (var id in groupIds) groups[id] = await grains.SkillGroup(tenant, id).GetSnapshot();
        var conversations = new Dictionary<string, ConversationSnapshot?>(StringComparer.Ordinal);
        foreach (var id in conversationIds) conversations[id] = await grains.Conversation(tenant, id).GetSnapshot();
        // Reading snapshots activates grains (completed conversations come back empty): let those turns settle.
        await idle();
        return new Observation(agents, groups, conversations);
    }

    public static IEnumerable<string> Violations(Observation o)
    {
        foreach (var v in Capacity(o)) yield return v;
        foreach (var v in OneHolder(o)) yield return v;
        foreach (var v in OnePlace(o)) yield return v;
        foreach (var v in NoTakeableConversationWaits(o)) yield return v;
    }

    /// <summary>SG-3: chat load within the cap of the agent's groups; a call or omni session alone; offline holds nothing.</summary>
    private static IEnumerable<string> Capacity(Observation o)
    {
        foreach (var a in o.Agents.Values)
        {
            if (a.Presence == Presence.Offline && a.Work.Count > 0)
                yield return $"AS-9: {a.AgentId} is offline and still holds {string.Join(", ", a.Work.Select(w => w.ConversationId))}";
            if (a.Work.Any(w => w.Mode.IsExclusive()))
            {
                if (a.Work.Count > 1)
                    yield return $"SG-3: {a.AgentId} holds a call and something beside it: {string.Join(", ", a.Work.Select(w => $"{w.ConversationId} ({w.Mode})"))}";
                continue;
            }
            var cap = a.Groups.Values.Where(m => !m.Mode.IsExclusive()).Select(m => m.Cap).DefaultIfEmpty(0).Max();
            if (a.Work.Count > cap)
                yield return $"SG-3: {a.AgentId} holds {a.Work.Count} chats, above the cap {cap} of their groups";
        }
    }

    /// <summary>RT-5: across all agents, a conversation is held (reserved, active or ended) by one agent at most.</summary>
    private static IEnumerable<string> OneHolder(Observation o)
        => o.Agents.Values
            .SelectMany(a => a.Work.Select(w => (w.ConversationId, a.AgentId)))
            .GroupBy(h => h.ConversationId)
            .Where(g => g.Count() > 1)
            .Select(g => $"RT-5: {g.Key} is held by {string.Join(" and ", g.Select(h => h.AgentId))}");

    /// <summary>
    /// RT-1: every live conversation is in exactly one place, the one its own state names: queued in one group's
    /// queue, or in the hands of its agent at the matching stage; a completed one is nowhere.
    /// </summary>
    private static IEnumerable<string> OnePlace(Observation o)
    {
        var queuedIn = o.Groups.Values
            .SelectMany(g => g.Queue.Select(id => (Id: id, g.GroupId)))
            .ToLookup(q => q.Id, q => q.GroupId);
        var heldBy = o.Agents.Values
            .SelectMany(a => a.Work.Select(w => (w.ConversationId, Agent: a.AgentId, Item: w)))
            .ToLookup(h => h.ConversationId);
        foreach (var (id, c) in o.Conversations)
        {
            var queues = queuedIn[id].ToList();
            var holders = heldBy[id].ToList();
            if (c is null)
            {
                if (queues.Count > 0 || holders.Count > 0)
                    yield return $"RT-1: {id} is gone (completed or refused) but still {Where(queues, holders)}";
                continue;
            }
            switch (c.Status)
            {
                case ConversationStatus.Queued:
                    if (queues.Count != 1 || queues[0] != c.GroupId || holders.Count > 0 || c.AgentId is not null)
                        yield return $"RT-1: {id} is Queued in {c.GroupId} (agent {c.AgentId ?? "-"}) but {Where(queues, holders)}";
                    break;
                case ConversationStatus.Offered or ConversationStatus.Active or ConversationStatus.Ended:
                    var expected = ExpectedStages(c);
                    if (queues.Count > 0 || holders.Count != 1 || holders[0].Agent != c.AgentId || !expected.Contains(holders[0].Item.Stage))
                        yield return $"RT-1: {id} is {c.Status} at {c.AgentId ?? "-"} (so {string.Join("/", expected)} there) but {Where(queues, holders)}";
                    break;
                default:
                    yield return $"RT-1: {id} is visible in status {c.Status}";
                    break;
            }
        }
        var known = o.Conversations.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var stray in queuedIn.Select(g => g.Key).Concat(heldBy.Select(g => g.Key)).Where(id => !known.Contains(id)).Distinct())
            yield return $"RT-1: {stray} was never created but is {Where(queuedIn[stray].ToList(), heldBy[stray].ToList())}";
    }

    private static WorkStage[] ExpectedStages(ConversationSnapshot c) => c.Status switch
    {
        ConversationStatus.Offered => [WorkStage.Reserved],
        ConversationStatus.Active => [WorkStage.Active],
        _ when c.Mode.IsExclusive() => [WorkStage.AfterCall, WorkStage.WrappingUp],
        _ => [WorkStage.Ended],
    };

    private static string Where(List<string> queues, List<(string ConversationId, string Agent, WorkItem Item)> holders)
    {
        var places = queues.Select(g => "queued in " + g).Concat(holders.Select(h => $"held by {h.Agent} ({h.Item.Stage})")).ToList();
        return places.Count == 0 ? "is nowhere" : "is " + string.Join(", ", places);
    }

    /// <summary>
    /// RT-1: after quiescence no queued conversation waits while a member could take it: online, in the group,
    /// not deleted, with capacity (the agent state's own rule). An agent who missed this conversation's offer
    /// is passed over while another member of the group is online (AS-4, see AgentPool.PickFor).
    /// </summary>
    private static IEnumerable<string> NoTakeableConversationWaits(Observation o)
    {
        var states = o.Agents.Values.ToDictionary(a => a.AgentId, StateOf, StringComparer.Ordinal);
        foreach (var g in o.Groups.Values)
        {
            if (g.Queue.Count == 0) continue;
            var members = g.Members.Where(states.ContainsKey).Select(m => states[m]).ToList();
            var online = members.Where(s => !s.Deleted && s.Presence == Presence.Online && s.Groups.ContainsKey(g.GroupId)).ToList();
            var free = online.Where(s => s.CanTake(g.GroupId)).ToList();
            foreach (var id in g.Queue)
            {
                var excluded = o.Conversations.GetValueOrDefault(id)?.ExcludedAgents ?? [];
                var honourExclusions = online.Any(s => !excluded.Contains(s.AgentId));
                var takers = free.Where(s => !honourExclusions || !excluded.Contains(s.AgentId)).Select(s => s.AgentId).ToList();
                if (takers.Count > 0)
                    yield return $"RT-1: {id} waits in {g.GroupId} while {string.Join(", ", takers)} could take it (excluded: {string.Join(",", excluded)})";
            }
        }
    }

    private static AgentState StateOf(AgentSnapshot a) => new()
    {
        AgentId = a.AgentId,
        Presence = a.Presence,
        BreakReason = a.BreakReason,
        Deleted = a.Deleted,
        Work = a.Work.ToDictionary(w => w.ConversationId, StringComparer.Ordinal),
        Groups = new Dictionary<string, Membership>(a.Groups, StringComparer.Ordinal),
        IdleSince = a.IdleSince,
    };
}
