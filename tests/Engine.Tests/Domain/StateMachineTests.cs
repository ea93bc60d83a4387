using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Tests.Domain;

public sealed class StateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_machine_prints_itself_as_a_DOT_graph_with_every_edge()
    {
        foreach (var dot in new[] { AgentMachine.Presence.ToDot(), AgentMachine.Work.ToDot(), ConversationState.Machine.ToDot() })
        {
            Assert.StartsWith("digraph \"", dot);
            Assert.EndsWith("}" + Environment.NewLine, dot);
        }
        var presence = AgentMachine.Presence.ToDot();
        Assert.Contains("\"Offline\" -> \"Online\" [label=\"GoOnline\"];", presence);
        Assert.Contains("\"Online\" -> \"Break\" [label=\"MissOffer\"];", presence);
        Assert.Equal(AgentMachine.Presence.Edges.Count(), presence.Split("->").Length - 1);
        Assert.Contains("\"Offered\" -> \"Queued\" [label=\"OfferTimeout\"];", ConversationState.Machine.ToDot());
    }

    [Fact]
    public void An_illegal_trigger_throws_naming_machine_state_and_trigger()
    {
        var error = Assert.Throws<InvalidTransitionException>(() => ConversationState.Machine.Fire(ConversationStatus.Completed, ConversationTrigger.Answer));
        Assert.Equal(("Conversation", "Completed", "Answer"), (error.Machine, error.State, error.Trigger));
        Assert.Contains("'Answer' is not allowed in state 'Completed'", error.Message);
    }

    [Fact]
    public void A_pair_defined_twice_is_a_programming_error()
    {
        var table = new TransitionTable<Presence, PresenceTrigger>("t").Permit(Presence.Offline, PresenceTrigger.GoOnline, Presence.Online);
        Assert.Throws<ArgumentException>(() => table.Permit(Presence.Offline, PresenceTrigger.GoOnline, Presence.Break));
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
}
