using Engine.Agents;
using Engine.Routing;

namespace Engine.Tests.Domain;

public sealed class PolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static AgentAvailability Report(string id, long version, int load = 0, int idleMinutesAgo = 0, bool canTake = true, bool online = true)
        => new(id, version, online, canTake, load, T0.AddMinutes(-idleMinutesAgo));

    private static AgentPool Pool(IAllocationPolicy policy, params AgentAvailability[] reports)
    {
        var pool = new AgentPool(policy);
        foreach (var report in reports)
        {
            pool.AddMember(report.AgentId);
            pool.Update(report);
        }
        return pool;
    }

    [Fact]
    public void RT2_Longest_idle_picks_the_earliest_idle_since()
    {
        var pool = Pool(LongestIdlePolicy.Instance, Report("a", 1, idleMinutesAgo: 5), Report("b", 1, idleMinutesAgo: 9), Report("c", 1, idleMinutesAgo: 1));
        Assert.Equal("b", pool.PickFor([]));
    }

    [Fact]
    public void RT2_Fewest_active_picks_the_lowest_load_then_the_longest_idle()
    {
        var pool = Pool(FewestActivePolicy.Instance, Report("a", 1, load: 1, idleMinutesAgo: 50), Report("b", 1, load: 0, idleMinutesAgo: 1), Report("c", 1, load: 0, idleMinutesAgo: 2));
        Assert.Equal("c", pool.PickFor([]));
    }

    [Fact]
    public void RT2_Round_robin_moves_past_the_agent_who_just_got_an_offer()
    {
        var pool = Pool(RoundRobinPolicy.Instance, Report("a", 1), Report("b", 1), Report("c", 1));
        var order = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var pick = pool.PickFor([])!;
            order.Add(pick);
            pool.RecordOffer(pick);
        }
        Assert.Equal(["a", "b", "c", "a", "b"], order);
    }

    [Fact]
    public void Stale_reports_are_ignored_and_unavailable_agents_are_never_picked()
    {
        var pool = Pool(LongestIdlePolicy.Instance, Report("a", 5), Report("b", 5, canTake: false));
        Assert.False(pool.Update(Report("a", 4, canTake: false)));
        Assert.Equal("a", pool.PickFor([]));
        Assert.True(pool.Update(Report("a", 6, canTake: false)));
        Assert.Null(pool.PickFor([]));
        Assert.Equal(2, pool.OnlineCount);
    }

    [Fact]
    public void An_excluded_agent_is_passed_over_while_another_member_is_online()
    {
        var pool = Pool(LongestIdlePolicy.Instance, Report("a", 1, idleMinutesAgo: 9), Report("b", 1, canTake: false));
        Assert.Null(pool.PickFor(["a"]));
        pool.Update(Report("b", 2, online: false, canTake: false));
        Assert.Equal("a", pool.PickFor(["a"]));
    }

    [Fact]
    public void RT1_The_dispatcher_proposes_the_earliest_entry_an_agent_may_take()
    {
        var queue = new GroupQueue();
        queue.Enqueue(new QueueEntry("c1", "v1", T0, ["a"], [], null));
        queue.Enqueue(new QueueEntry("c2", "v2", T0, [], [], null));
        var pool = Pool(LongestIdlePolicy.Instance, Report("a", 1), Report("b", 1, canTake: false));
        Assert.Equal(new Proposal(queue.Entries.Last(), "a"), Dispatcher.Propose(queue, pool, lastAgentPriority: false));
        Assert.Equal(1, queue.PositionOf("c2"));
        Assert.Equal(-1, queue.PositionOf("nope"));
    }

    [Fact]
    public void RT3_The_dispatcher_prefers_the_last_agent_when_enabled()
    {
        var queue = new GroupQueue();
        queue.Enqueue(new QueueEntry("c1", "v1", T0, [], [], "b"));
        var pool = Pool(LongestIdlePolicy.Instance, Report("a", 1, idleMinutesAgo: 9), Report("b", 1));
        Assert.Equal("b", Dispatcher.Propose(queue, pool, lastAgentPriority: true)!.Value.AgentId);
        Assert.Equal("a", Dispatcher.Propose(queue, pool, lastAgentPriority: false)!.Value.AgentId);
    }

    [Fact]
    public void RT4_Overflow_moves_entries_waiting_at_least_T_to_the_first_group_not_yet_visited()
    {
        var queue = new GroupQueue();
        queue.Enqueue(new QueueEntry("old", "v1", T0, [], ["g1"], null));
        queue.Enqueue(new QueueEntry("seen-all", "v2", T0, [], ["g1", "g2", "g3"], null));
        queue.Enqueue(new QueueEntry("new", "v3", T0.AddSeconds(20), [], ["g1"], null));
        var moves = Dispatcher.DueOverflows(queue, T0.AddSeconds(30), TimeSpan.FromSeconds(30), ["g2", "g3"]);
        Assert.Equal([new OverflowMove(queue.Entries.First(), "g2")], moves);
        Assert.Equal(T0.AddSeconds(30), Dispatcher.NextOverflowCheck(queue, TimeSpan.FromSeconds(30), ["g2", "g3"]));
    }
}
