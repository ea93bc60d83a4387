using Engine.Routing;
using Engine.Tests.Routing;
using FsCheck;
using FsCheck.Xunit;

namespace Engine.Tests.Properties;

/// <summary>
/// Random sequences of agent, customer and clock steps over a small tenant (<see cref="World"/>), played through
/// the grains; after every step and every clock step the invariants of <see cref="RoutingInvariants"/> must hold:
/// SG-3 caps, RT-5 one holder, RT-1 one place and no takeable conversation left waiting. Steps that the current
/// state refuses must throw a domain exception (and break nothing); about one step in ten sends two steps at once
/// from two threads, racing each other and the timers. A failure prints the shrunk case, the trace of what each
/// step did, and the state. The runs share one test cluster, each in a tenant of its own.
/// </summary>
public sealed class RoutingProperties(RoutingProperties.Cluster cluster) : IClassFixture<RoutingProperties.Cluster>
{
    [Property(MaxTest = 150, Arbitrary = [typeof(AnyCases)])]
    public void SG3_RT5_RT1_Random_agent_and_customer_steps_keep_caps_one_holder_and_every_conversation_in_one_place(RoutingCase routingCase)
        => RoutingRun.Play(routingCase, cluster.Host);

    [Property(MaxTest = 100, Arbitrary = [typeof(TimeoutCases)])]
    public void AS4_RT4_RT1_Missed_offers_overflow_and_after_call_windows_never_leave_a_takeable_conversation_waiting(RoutingCase routingCase)
        => RoutingRun.Play(routingCase, cluster.Host);

    /// <summary>
    /// Found by the property above, shrunk. c1 (phone) was missed by a2, a3 and a1 in turn and waits; a4 is online
    /// (holding a chat), so the exclusions hold and a3, free again, is passed over. Then a4 misses its chat and goes
    /// on break: every online phone member has missed c1 now, so a3 must get it. The group heard of a4 going
    /// away but dispatched only on reports of agents who can take work, and c1 waited.
    /// </summary>
    [Fact]
    public void RT1_AS4_A_member_going_on_break_makes_agents_who_missed_an_offer_eligible_again()
    {
        var online = new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 30, AfterCallSeconds = 30 };
        var phone = new RoutingSettings { LastAgentPriority = true, TimeoutTransfer = true, TimeoutTransferSeconds = 20, AfterCallSeconds = 60 };
        var world = new World(3, 3, false, online, phone,
        [
            new AgentSpec("a1", [World.PhoneGroup], false),
            new AgentSpec("a2", [World.Chat2, World.PhoneGroup], true),
            new AgentSpec("a3", [World.Chat2, World.PhoneGroup], true),
            new AgentSpec("a4", [World.Chat1, World.PhoneGroup], false),
            new AgentSpec("a5", [World.Chat2], true),
        ]);
        RoutingRun.Play(new RoutingCase(world,
        [
            new AgentStep(AgentAction.GoOnline, 0),
            new Arrive(World.PhoneGroup, "v1", false),
            new Advance(60),
            new Arrive(World.PhoneGroup, "v2", false),
            new Arrive(World.Chat1, "v4", false),
            new AgentStep(AgentAction.EndBreak, 0),
            new AgentStep(AgentAction.EndBreak, 0),
            new AgentStep(AgentAction.GoOnline, 0),
            new Act(ConversationAction.Progress, 4),
            new AgentStep(AgentAction.EndBreak, 0),
            new Advance(30),
        ]));
    }

    public static class AnyCases
    {
        public static Arbitrary<RoutingCase> Cases() => RoutingCases.Arbitrary(maxSteps: 50, timeoutsAlways: false);
    }

    public static class TimeoutCases
    {
        public static Arbitrary<RoutingCase> Cases() => RoutingCases.Arbitrary(maxSteps: 50, timeoutsAlways: true);
    }

    /// <summary>One test cluster for all runs of this class.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public RoutingHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await RoutingHost.StartAsync();

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
