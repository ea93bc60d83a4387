using BenchmarkDotNet.Attributes;
using Engine.Agents;
using Engine.Routing;

namespace Engine.Benchmarks.Suites;

/// <summary>
/// Choosing an agent among 1,000 or 10,000 members, as the skill group does for each offer: pick by the
/// policy, record the offer, and take the agent's next report (which re-sorts them).
/// </summary>
public class PolicyBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private AgentPool _pool = null!;
    private long _version;
    private long _tick;

    [Params(1_000, 10_000)]
    public int Agents { get; set; }

    [Params(AllocationPolicyKind.LongestIdle, AllocationPolicyKind.FewestActive, AllocationPolicyKind.RoundRobin)]
    public AllocationPolicyKind Policy { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        _pool = new AgentPool(AllocationPolicies.For(Policy));
        var random = new Random(7);
        for (var i = 0; i < Agents; i++)
        {
            var id = "a" + i;
            _pool.AddMember(id);
            _pool.Update(new AgentAvailability(id, 1, true, true, random.Next(3), T0.AddSeconds(-random.Next(3600))));
        }
        _version = 1;
    }

    [Benchmark(Description = "pick, record offer, apply the agent's report")]
    public string? PickAndUpdate()
    {
        var agent = _pool.PickFor([]);
        if (agent is null) return null;
        _pool.RecordOffer(agent);
        var entry = _pool.Find(agent)!;
        _pool.Update(new AgentAvailability(agent, ++_version, true, true, (entry.Load + 1) % 3, T0.AddTicks(++_tick)));
        return agent;
    }

    [Benchmark(Description = "pick with two excluded agents")]
    public string? PickWithExclusions() => _pool.PickFor(["a1", "a2"]);
}
