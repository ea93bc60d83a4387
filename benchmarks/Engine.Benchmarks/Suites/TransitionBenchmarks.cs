using BenchmarkDotNet.Attributes;
using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;
using Stateless;

namespace Engine.Benchmarks.Suites;

/// <summary>
/// The pure transitions one conversation goes through: each machine alone (reported per transition, so
/// the figure is what one <c>Fire</c> or <c>CanFire</c> costs a grain), beside the same transitions fired
/// on a Stateless machine built from the same definition (what the compiled table saves), then as the
/// agent and the conversation use them.
/// </summary>
public class TransitionBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private AgentState _agent = null!;

    // Read from fields, so the JIT cannot fold a lookup whose operands it knows.
    private readonly Presence _offline = Presence.Offline;
    private readonly WorkStage _reserved = WorkStage.Reserved;
    private readonly WorkStage _afterCall = WorkStage.AfterCall;
    private readonly ConversationStatus _new = ConversationStatus.New;

    // Stateless machines of the same definitions, lent a state the way a grain would lend its own.
    private Presence _lentPresence;
    private WorkStage _lentStage;
    private ConversationStatus _lentStatus;
    private StateMachine<Presence, PresenceTrigger> _statelessPresence = null!;
    private StateMachine<WorkStage, WorkTrigger> _statelessWork = null!;
    private StateMachine<ConversationStatus, ConversationTrigger> _statelessConversation = null!;

    [GlobalSetup]
    public void SetUp()
    {
        _agent = new AgentState { AgentId = "a1" };
        _agent.Join("g1", ServiceMode.Online, 3);
        _agent.Join("g2", ServiceMode.Online, 3);
        _agent.GoOnline(Now);
        _statelessPresence = AgentMachine.Presence.CreateStatelessMachine(() => _lentPresence, state => _lentPresence = state);
        _statelessWork = AgentMachine.Work.CreateStatelessMachine(() => _lentStage, stage => _lentStage = stage);
        _statelessConversation = ConversationState.Machine.CreateStatelessMachine(() => _lentStatus, status => _lentStatus = status);
    }

    [Benchmark(OperationsPerInvoke = 4, Description = "presence machine: Fire, per transition")]
    public Presence PresenceFire()
    {
        var presence = AgentMachine.Presence.Fire(_offline, PresenceTrigger.GoOnline);
        presence = AgentMachine.Presence.Fire(presence, PresenceTrigger.StartBreak);
        presence = AgentMachine.Presence.Fire(presence, PresenceTrigger.EndBreak);
        return AgentMachine.Presence.Fire(presence, PresenceTrigger.GoOffline);
    }

    [Benchmark(OperationsPerInvoke = 3, Description = "work machine: Fire, per transition")]
    public WorkStage WorkFire()
    {
        var stage = AgentMachine.Work.Fire(_reserved, WorkTrigger.Answer);
        stage = AgentMachine.Work.Fire(stage, WorkTrigger.End);
        return AgentMachine.Work.Fire(stage, WorkTrigger.Complete);
    }

    [Benchmark(OperationsPerInvoke = 2, Description = "work machine: CanFire, per question")]
    public bool WorkCanFire()
        => AgentMachine.Work.CanFire(_afterCall, WorkTrigger.Recover) & AgentMachine.Work.CanFire(_reserved, WorkTrigger.Recover);

    [Benchmark(OperationsPerInvoke = 5, Description = "conversation machine: Fire, per transition")]
    public ConversationStatus ConversationFire()
    {
        var status = ConversationState.Machine.Fire(_new, ConversationTrigger.Transfer);
        status = ConversationState.Machine.Fire(status, ConversationTrigger.Offer);
        status = ConversationState.Machine.Fire(status, ConversationTrigger.Answer);
        status = ConversationState.Machine.Fire(status, ConversationTrigger.End);
        return ConversationState.Machine.Fire(status, ConversationTrigger.Complete);
    }

    [Benchmark(OperationsPerInvoke = 4, Description = "presence machine: Stateless Fire, per transition")]
    public Presence PresenceStatelessFire()
    {
        _lentPresence = _offline;
        _statelessPresence.Fire(PresenceTrigger.GoOnline);
        _statelessPresence.Fire(PresenceTrigger.StartBreak);
        _statelessPresence.Fire(PresenceTrigger.EndBreak);
        _statelessPresence.Fire(PresenceTrigger.GoOffline);
        return _lentPresence;
    }

    [Benchmark(OperationsPerInvoke = 3, Description = "work machine: Stateless Fire, per transition")]
    public WorkStage WorkStatelessFire()
    {
        _lentStage = _reserved;
        _statelessWork.Fire(WorkTrigger.Answer);
        _statelessWork.Fire(WorkTrigger.End);
        _statelessWork.Fire(WorkTrigger.Complete);
        return _lentStage;
    }

    [Benchmark(OperationsPerInvoke = 2, Description = "work machine: Stateless CanFire, per question")]
    public bool WorkStatelessCanFire()
    {
        _lentStage = _afterCall;
        var afterCall = _statelessWork.CanFire(WorkTrigger.Recover);
        _lentStage = _reserved;
        return afterCall & _statelessWork.CanFire(WorkTrigger.Recover);
    }

    [Benchmark(OperationsPerInvoke = 5, Description = "conversation machine: Stateless Fire, per transition")]
    public ConversationStatus ConversationStatelessFire()
    {
        _lentStatus = _new;
        _statelessConversation.Fire(ConversationTrigger.Transfer);
        _statelessConversation.Fire(ConversationTrigger.Offer);
        _statelessConversation.Fire(ConversationTrigger.Answer);
        _statelessConversation.Fire(ConversationTrigger.End);
        _statelessConversation.Fire(ConversationTrigger.Complete);
        return _lentStatus;
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
