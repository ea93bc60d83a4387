using BenchmarkDotNet.Attributes;
using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;

namespace Engine.Benchmarks.Suites;

/// <summary>The pure transitions one conversation goes through, on the agent and on the conversation.</summary>
public class TransitionBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private AgentState _agent = null!;

    [GlobalSetup]
    public void SetUp()
    {
        _agent = new AgentState { AgentId = "a1" };
        _agent.Join("g1", ServiceMode.Online, 3);
        _agent.Join("g2", ServiceMode.Online, 3);
        _agent.GoOnline(Now);
    }

    [Benchmark(Description = "agent: reserve, answer, end, complete")]
    public int AgentLifecycle()
    {
        _agent.TryReserve("c1", "g1", Now);
        _agent.Answer("c1", Now);
        _agent.End("c1", Now, AfterCallRule.Default);
        _agent.Complete("c1", Now);
        return _agent.Work.Count;
    }

    [Benchmark(Description = "agent: derived status")]
    public AgentStatus AgentStatus() => _agent.Status();

    [Benchmark(Description = "conversation: transfer, offer, answer, end, complete")]
    public ConversationStatus ConversationLifecycle()
    {
        var conversation = new ConversationState();
        conversation.Create("c1", "v1", ServiceMode.Online, Now);
        conversation.TransferTo("g1", Now);
        conversation.Offer("a1", Now, null);
        conversation.Answer("a1", Now);
        conversation.End("a1", Now);
        conversation.Complete(Now);
        return conversation.Status;
    }
}
