using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;
using Engine.StateMachines;
using Stateless;
using Stateless.Graph;

namespace Engine.Tests.Domain;

public sealed class StateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The spec's tables, written out independently of the machines they check.</summary>
    public static readonly TheoryData<Presence, PresenceTrigger, Presence> PresenceEdges = new()
    {
        { Presence.Offline, PresenceTrigger.GoOnline, Presence.Online },
        { Presence.Online, PresenceTrigger.StartBreak, Presence.Break },
        { Presence.Online, PresenceTrigger.MissOffer, Presence.Break },
        { Presence.Online, PresenceTrigger.GoOffline, Presence.Offline },
        { Presence.Break, PresenceTrigger.MissOffer, Presence.Break },
        { Presence.Break, PresenceTrigger.EndBreak, Presence.Online },
        { Presence.Break, PresenceTrigger.GoOffline, Presence.Offline },
    };

    public static readonly TheoryData<WorkStage, WorkTrigger, WorkStage> WorkEdges = new()
    {
        { WorkStage.Reserved, WorkTrigger.Answer, WorkStage.Active },
        { WorkStage.Reserved, WorkTrigger.MissOffer, WorkStage.Done },
        { WorkStage.Reserved, WorkTrigger.Release, WorkStage.Done },
        { WorkStage.Active, WorkTrigger.End, WorkStage.Ended },
        { WorkStage.Active, WorkTrigger.EndCall, WorkStage.AfterCall },
        { WorkStage.Active, WorkTrigger.Release, WorkStage.Done },
        { WorkStage.Ended, WorkTrigger.Complete, WorkStage.Done },
        { WorkStage.Ended, WorkTrigger.Release, WorkStage.Done },
        { WorkStage.AfterCall, WorkTrigger.Continue, WorkStage.Done },
        { WorkStage.AfterCall, WorkTrigger.EnterWrapUp, WorkStage.WrappingUp },
        { WorkStage.AfterCall, WorkTrigger.Recover, WorkStage.Done },
        { WorkStage.AfterCall, WorkTrigger.Release, WorkStage.Done },
        { WorkStage.WrappingUp, WorkTrigger.FinishWrapUp, WorkStage.Done },
        { WorkStage.WrappingUp, WorkTrigger.Recover, WorkStage.Done },
        { WorkStage.WrappingUp, WorkTrigger.Release, WorkStage.Done },
    };

    public static readonly TheoryData<ConversationStatus, ConversationTrigger, ConversationStatus> ConversationEdges = new()
    {
        { ConversationStatus.New, ConversationTrigger.Transfer, ConversationStatus.Queued },
        { ConversationStatus.New, ConversationTrigger.Abandon, ConversationStatus.Ended },
        { ConversationStatus.Queued, ConversationTrigger.Overflow, ConversationStatus.Queued },
        { ConversationStatus.Queued, ConversationTrigger.Offer, ConversationStatus.Offered },
        { ConversationStatus.Queued, ConversationTrigger.Abandon, ConversationStatus.Ended },
        { ConversationStatus.Queued, ConversationTrigger.GroupGone, ConversationStatus.Ended },
        { ConversationStatus.Offered, ConversationTrigger.Answer, ConversationStatus.Active },
        { ConversationStatus.Offered, ConversationTrigger.OfferTimeout, ConversationStatus.Queued },
        { ConversationStatus.Offered, ConversationTrigger.Withdraw, ConversationStatus.Queued },
        { ConversationStatus.Offered, ConversationTrigger.Abandon, ConversationStatus.Ended },
        { ConversationStatus.Active, ConversationTrigger.Withdraw, ConversationStatus.Queued },
        { ConversationStatus.Active, ConversationTrigger.End, ConversationStatus.Ended },
        { ConversationStatus.Active, ConversationTrigger.Abandon, ConversationStatus.Ended },
        { ConversationStatus.Active, ConversationTrigger.ReplyTimeout, ConversationStatus.Ended },
        { ConversationStatus.Ended, ConversationTrigger.Complete, ConversationStatus.Completed },
    };

    public static TheoryData<Presence, PresenceTrigger> PresenceRefusals => Refusals(PresenceEdges);

    public static TheoryData<WorkStage, WorkTrigger> WorkRefusals => Refusals(WorkEdges);

    public static TheoryData<ConversationStatus, ConversationTrigger> ConversationRefusals => Refusals(ConversationEdges);

    [Theory]
    [MemberData(nameof(PresenceEdges))]
    public void Agent_presence_moves_on_each_permitted_trigger(Presence from, PresenceTrigger trigger, Presence to)
        => AssertMoves(AgentMachine.Presence, from, trigger, to);

    [Theory]
    [MemberData(nameof(WorkEdges))]
    public void Agent_work_stage_moves_on_each_permitted_trigger(WorkStage from, WorkTrigger trigger, WorkStage to)
        => AssertMoves(AgentMachine.Work, from, trigger, to);

    [Theory]
    [MemberData(nameof(ConversationEdges))]
    public void Conversation_moves_on_each_permitted_trigger(ConversationStatus from, ConversationTrigger trigger, ConversationStatus to)
        => AssertMoves(ConversationState.Machine, from, trigger, to);

    [Theory]
    [MemberData(nameof(PresenceRefusals))]
    public void Agent_presence_refuses_every_other_trigger_naming_machine_state_and_trigger(Presence state, PresenceTrigger trigger)
        => AssertRefuses(AgentMachine.Presence, "AgentPresence", state, trigger);

    [Theory]
    [MemberData(nameof(WorkRefusals))]
    public void Agent_work_stage_refuses_every_other_trigger_naming_machine_state_and_trigger(WorkStage state, WorkTrigger trigger)
        => AssertRefuses(AgentMachine.Work, "AgentWork", state, trigger);

    [Theory]
    [MemberData(nameof(ConversationRefusals))]
    public void Conversation_refuses_every_other_trigger_naming_machine_state_and_trigger(ConversationStatus state, ConversationTrigger trigger)
        => AssertRefuses(ConversationState.Machine, "Conversation", state, trigger);

    [Fact]
    public void A_refusal_reads_as_machine_trigger_and_state_and_leaves_the_machine_usable()
    {
        var error = Assert.Throws<InvalidTransitionException>(() => ConversationState.Machine.Fire(ConversationStatus.Completed, ConversationTrigger.Answer));
        Assert.Equal("Conversation: 'Answer' is not allowed in state 'Completed'.", error.Message);
        Assert.IsAssignableFrom<DomainException>(error);
        Assert.Equal(ConversationStatus.Active, ConversationState.Machine.Fire(ConversationStatus.Offered, ConversationTrigger.Answer));
    }

    [Fact]
    public void Each_machine_describes_exactly_the_transitions_of_its_table()
    {
        Assert.Equal(Rows(PresenceEdges).Order(), Transitions(AgentMachine.Presence).Order());
        Assert.Equal(Rows(WorkEdges).Order(), Transitions(AgentMachine.Work).Order());
        Assert.Equal(Rows(ConversationEdges).Order(), Transitions(ConversationState.Machine).Order());
    }

    [Fact]
    public void Each_machine_prints_itself_as_a_UML_DOT_graph_of_its_states_and_transitions()
    {
        AssertGraph(AgentMachine.Presence, PresenceEdges, Presence.Offline);
        AssertGraph(AgentMachine.Work, WorkEdges, WorkStage.Reserved);
        AssertGraph(ConversationState.Machine, ConversationEdges, ConversationStatus.New);
    }

    [Fact]
    public void The_compiled_tables_answer_every_state_and_trigger_exactly_as_Stateless_fires_the_definition()
    {
        AssertAgreesWithStateless(AgentMachine.Presence);
        AssertAgreesWithStateless(AgentMachine.Work);
        AssertAgreesWithStateless(ConversationState.Machine);
    }

    [Fact]
    public void A_trigger_permitted_twice_from_one_state_is_refused_when_the_machine_is_defined()
    {
        var error = Assert.Throws<ArgumentException>(() => new CompiledStateMachine<Presence, PresenceTrigger>("Twice", Presence.Offline, machine =>
            machine.Configure(Presence.Offline)
                .Permit(PresenceTrigger.GoOnline, Presence.Online)
                .Permit(PresenceTrigger.GoOnline, Presence.Break)));
        Assert.Equal("Twice: 'GoOnline' is permitted more than once in state 'Offline'.", error.Message);
    }

    /// <summary>What a lookup table cannot express is refused when the machine is built, not when it is fired.</summary>
    public static readonly TheoryData<string, Action<StateMachine<Presence, PresenceTrigger>>> DefinitionsATableCannotExpress = new()
    {
        { "has a guarded transition on 'GoOnline'", m => m.Configure(Presence.Offline).PermitIf(PresenceTrigger.GoOnline, Presence.Online, () => true) },
        { "has a dynamic transition on 'GoOnline'", m => m.Configure(Presence.Offline).PermitDynamic(PresenceTrigger.GoOnline, () => Presence.Online) },
        { "has an internal transition on 'GoOnline'", m => m.Configure(Presence.Offline).InternalTransition(PresenceTrigger.GoOnline, () => { }) },
        { "ignores 'GoOnline'", m => m.Configure(Presence.Offline).Ignore(PresenceTrigger.GoOnline) },
        { "has entry, exit, activate or deactivate actions", m => m.Configure(Presence.Offline).Permit(PresenceTrigger.GoOnline, Presence.Online).OnEntry(() => { }) },
        { "has a superstate or substates", m => m.Configure(Presence.Break).SubstateOf(Presence.Online) },
    };

    [Theory]
    [MemberData(nameof(DefinitionsATableCannotExpress))]
    public void A_definition_the_table_cannot_express_is_refused_when_the_machine_is_built(string what, Action<StateMachine<Presence, PresenceTrigger>> configure)
    {
        var error = Assert.Throws<ArgumentException>(() => new CompiledStateMachine<Presence, PresenceTrigger>("Odd", Presence.Offline, configure));
        Assert.StartsWith("Odd: state '", error.Message);
        Assert.Contains(what, error.Message);
    }

    [Fact]
    public void AS1_Status_is_derived_from_presence_and_work()
    {
        var agent = new AgentState { AgentId = "a1" };
        agent.Join("chat", ServiceMode.Online, 2);
        agent.Join("phone", ServiceMode.Phone, 9);
        Assert.Equal(AgentStatus.Offline, agent.Status());
        agent.GoOnline(T0);
        Assert.Equal(AgentStatus.Idle, agent.Status());
        Assert.Equal(ReserveOutcome.Reserved, agent.TryReserve("c1", "chat", T0));
        Assert.Equal(AgentStatus.Idle, agent.Status());
        Assert.Equal(ReserveOutcome.Reserved, agent.TryReserve("c2", "chat", T0));
        Assert.Equal(AgentStatus.Busy, agent.Status());
        Assert.Equal(ReserveOutcome.AtCapacity, agent.TryReserve("c3", "chat", T0));
        Assert.Equal(ReserveOutcome.Busy, agent.TryReserve("p1", "phone", T0));
        agent.StartBreak(T0);
        Assert.Equal(AgentStatus.Break, agent.Status());
        Assert.Equal(ReserveOutcome.NotOnline, agent.TryReserve("c4", "chat", T0));
    }

    [Fact]
    public void AS1_An_agent_whose_only_chats_are_ended_is_wrapping_up_even_at_the_cap()
    {
        var agent = new AgentState { AgentId = "a1" };
        agent.Join("chat", ServiceMode.Online, 1);
        agent.GoOnline(T0);
        agent.TryReserve("c1", "chat", T0);
        agent.Answer("c1", T0);
        Assert.Equal(AgentStatus.Busy, agent.Status());
        agent.End("c1", T0, AfterCallRule.Default);
        Assert.Equal(AgentStatus.WrapUp, agent.Status());
        Assert.False(agent.CanTake("chat"));
    }

    [Fact]
    public void SG3_Phone_cap_is_one_whatever_is_asked_and_a_call_excludes_everything_else()
    {
        var agent = new AgentState { AgentId = "a1" };
        agent.Join("phone", ServiceMode.Phone, 5);
        agent.Join("chat", ServiceMode.Online, 5);
        Assert.Equal(1, agent.Groups["phone"].Cap);
        agent.GoOnline(T0);
        Assert.Equal(ReserveOutcome.Reserved, agent.TryReserve("p1", "phone", T0));
        Assert.False(agent.CanTake("chat"));
        Assert.False(agent.CanTake("phone"));
        Assert.Equal(AgentStatus.Busy, agent.Status());
        agent.Answer("p1", T0);
        agent.End("p1", T0, new RoutingSettings { AfterCallSeconds = 30 }.AfterCall);
        Assert.Equal(AgentStatus.WrapUp, agent.Status());
        Assert.False(agent.CanTake("chat"));
        Assert.Equal(T0.AddSeconds(30), agent.NextDeadline());
        Assert.False(agent.Recover("p1", T0.AddSeconds(29)));
        Assert.True(agent.Recover("p1", T0.AddSeconds(30)));
        Assert.Equal(AgentStatus.Idle, agent.Status());
    }

    [Fact]
    public void AS9_Going_offline_with_work_is_refused_without_force_and_returns_the_work_with_force()
    {
        var agent = new AgentState { AgentId = "a1" };
        agent.Join("chat", ServiceMode.Online, 3);
        agent.GoOnline(T0);
        agent.TryReserve("c1", "chat", T0);
        agent.TryReserve("c2", "chat", T0);
        agent.Answer("c2", T0);
        Assert.Throws<AgentHasWorkException>(() => agent.GoOffline(T0, force: false));
        Assert.Equal(Presence.Online, agent.Presence);
        Assert.Equal(2, agent.Work.Count);
        var released = agent.GoOffline(T0, force: true);
        Assert.Equal(["c1", "c2"], released.Select(w => w.ConversationId).Order());
        Assert.Empty(agent.Work);
        Assert.Equal(AgentStatus.Offline, agent.Status());
    }

    [Fact]
    public void AS4_Missing_an_offer_puts_an_online_agent_on_break_by_the_system()
    {
        var agent = new AgentState { AgentId = "a1" };
        agent.Join("chat", ServiceMode.Online, 1);
        agent.GoOnline(T0);
        agent.TryReserve("c1", "chat", T0);
        agent.MissOffer("c1", T0);
        Assert.Equal((Presence.Break, BreakReason.MissedOffer), (agent.Presence, agent.BreakReason));
        Assert.Empty(agent.Work);
    }

    [Fact]
    public void A_conversation_answered_by_another_agent_than_the_offered_one_is_refused()
    {
        var conversation = new ConversationState();
        conversation.Create("c1", "v1", ServiceMode.Online, T0);
        conversation.TransferTo("g1", T0);
        conversation.Offer("a1", T0, null);
        Assert.Throws<DomainException>(() => conversation.Answer("a2", T0));
        Assert.Equal(ConversationStatus.Offered, conversation.Status);
        conversation.Answer("a1", T0);
        Assert.Equal(ConversationStatus.Active, conversation.Status);
    }

    [Fact]
    public void FL5_The_customer_reply_deadline_ends_an_active_conversation_only_when_due()
    {
        var conversation = new ConversationState();
        conversation.Create("c1", "v1", ServiceMode.Online, T0);
        conversation.TransferTo("g1", T0);
        conversation.Offer("a1", T0, null);
        conversation.Answer("a1", T0);
        conversation.AgentWrote(T0, TimeSpan.FromMinutes(3));
        Assert.False(conversation.ReplyTimedOut(T0.AddMinutes(2)));
        conversation.CustomerWrote();
        Assert.False(conversation.ReplyTimedOut(T0.AddMinutes(5)));
        conversation.AgentWrote(T0.AddMinutes(5), TimeSpan.FromMinutes(3));
        Assert.True(conversation.ReplyTimedOut(T0.AddMinutes(8)));
        Assert.Equal((ConversationStatus.Ended, EndReason.CustomerReplyTimeout), (conversation.Status, conversation.EndReason));
    }

    private static void AssertMoves<TState, TTrigger>(CompiledStateMachine<TState, TTrigger> machine, TState from, TTrigger trigger, TState to)
        where TState : struct, Enum
        where TTrigger : struct, Enum
    {
        Assert.True(machine.CanFire(from, trigger));
        Assert.Equal(to, machine.Fire(from, trigger));
    }

    private static void AssertRefuses<TState, TTrigger>(CompiledStateMachine<TState, TTrigger> machine, string name, TState state, TTrigger trigger)
        where TState : struct, Enum
        where TTrigger : struct, Enum
    {
        Assert.False(machine.CanFire(state, trigger));
        var error = Assert.Throws<InvalidTransitionException>(() => machine.Fire(state, trigger));
        Assert.Equal((name, state.ToString(), trigger.ToString()), (error.Machine, error.State, error.Trigger));
    }

    /// <summary>
    /// For every (state, trigger), a Stateless machine built from the definition and standing in that state
    /// gives the compiled table's answer: CanFire alike, and Fire the same state or the same refusal.
    /// </summary>
    private static void AssertAgreesWithStateless<TState, TTrigger>(CompiledStateMachine<TState, TTrigger> machine)
        where TState : struct, Enum
        where TTrigger : struct, Enum
    {
        foreach (var state in Enum.GetValues<TState>())
        {
            foreach (var trigger in Enum.GetValues<TTrigger>())
            {
                var stateless = machine.CreateStatelessMachine(state);
                var can = stateless.CanFire(trigger);
                Assert.True(can == machine.CanFire(state, trigger), $"{machine.Name}: CanFire({state}, {trigger}) is {!can}, Stateless says {can}.");
                if (can)
                {
                    stateless.Fire(trigger);
                    Assert.Equal((state, trigger, stateless.State), (state, trigger, machine.Fire(state, trigger)));
                }
                else
                {
                    var byStateless = Assert.Throws<InvalidTransitionException>(() => stateless.Fire(trigger));
                    var byTable = Assert.Throws<InvalidTransitionException>(() => machine.Fire(state, trigger));
                    Assert.Equal((byStateless.Machine, byStateless.State, byStateless.Trigger), (byTable.Machine, byTable.State, byTable.Trigger));
                    Assert.Equal(state, stateless.State);
                }
            }
        }
    }

    private static void AssertGraph<TState, TTrigger>(CompiledStateMachine<TState, TTrigger> machine, TheoryData<TState, TTrigger, TState> edges, TState initial)
        where TState : struct, Enum
        where TTrigger : struct, Enum
    {
        var dot = machine.ToDot();
        Assert.Equal(UmlDotGraph.Format(machine.Info), dot);
        Assert.StartsWith("digraph {", dot);
        foreach (var state in Enum.GetValues<TState>())
            Assert.Contains($"\"{state}\" [label=\"{state}\"];", dot);
        foreach (var (from, trigger, to) in Rows(edges))
            Assert.Contains($"\"{from}\" -> \"{to}\" [style=\"solid\", label=\"{trigger}\"];", dot);
        Assert.Contains($"init -> \"{initial}\"", dot);
    }

    private static IEnumerable<(TState From, TTrigger Trigger, TState To)> Rows<TState, TTrigger>(TheoryData<TState, TTrigger, TState> edges)
        => edges.Select(row => ((TState)row[0], (TTrigger)row[1], (TState)row[2]));

    private static IEnumerable<(TState From, TTrigger Trigger, TState To)> Transitions<TState, TTrigger>(CompiledStateMachine<TState, TTrigger> machine)
        where TState : struct, Enum
        where TTrigger : struct, Enum
        => machine.Info.States.SelectMany(state => state.FixedTransitions.Select(t =>
            ((TState)state.UnderlyingState, (TTrigger)t.Trigger.UnderlyingTrigger, (TState)t.DestinationState.UnderlyingState)));

    private static TheoryData<TState, TTrigger> Refusals<TState, TTrigger>(TheoryData<TState, TTrigger, TState> edges)
        where TState : struct, Enum
        where TTrigger : struct, Enum
    {
        var permitted = Rows(edges).Select(e => (e.From, e.Trigger)).ToHashSet();
        var refusals = new TheoryData<TState, TTrigger>();
        foreach (var state in Enum.GetValues<TState>())
        {
            foreach (var trigger in Enum.GetValues<TTrigger>())
            {
                if (!permitted.Contains((state, trigger))) refusals.Add(state, trigger);
            }
        }
        return refusals;
    }
}
