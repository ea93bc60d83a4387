using Engine.Routing;
using FsCheck;
using FsCheck.Fluent;

namespace Engine.Tests.Properties;

/// <summary>An agent of the generated world, the groups they belong to, and whether they are online from the start.</summary>
public sealed record AgentSpec(string Id, IReadOnlyList<string> Groups, bool StartsOnline)
{
    public override string ToString() => $"{Id}[{string.Join(",", Groups)}]{(StartsOnline ? " online" : "")}";
}

/// <summary>
/// A small tenant: two online groups (chat2 may overflow to chat1, RT-4) and one phone group, 3–5 agents in
/// overlapping groups, per-mode settings (ST-1).
/// </summary>
public sealed record World(int Chat1Cap, int Chat2Cap, bool Chat2OverflowsToChat1, RoutingSettings Online, RoutingSettings Phone, IReadOnlyList<AgentSpec> Agents)
{
    public const string Chat1 = "chat1";
    public const string Chat2 = "chat2";
    public const string PhoneGroup = "phone";
    public static readonly string[] Groups = [Chat1, Chat2, PhoneGroup];

    public ServiceMode ModeOf(string groupId) => groupId == PhoneGroup ? ServiceMode.Phone : ServiceMode.Online;

    public override string ToString()
        => $"chat1 cap {Chat1Cap}, chat2 cap {Chat2Cap}{(Chat2OverflowsToChat1 ? " overflowing to chat1" : "")}, phone cap 1; "
           + $"online: {Describe(Online)}; phone: {Describe(Phone)}; agents {string.Join(" ", Agents)}";

    private static string Describe(RoutingSettings s)
        => $"{s.Policy}{(s.LastAgentPriority ? " last-agent" : "")}"
           + (s.TimeoutTransfer ? $" timeout {s.TimeoutTransferSeconds}s" : " no timeout")
           + (s.StatusRecovery ? $" recovery {s.StatusRecoverySeconds}s" : "")
           + $" after-call {s.AfterCallSeconds}s";
}

/// <summary>One step of a generated run. Conversation steps name a conversation by its index among those in the right status.</summary>
public abstract record Op;

public enum AgentAction
{
    GoOnline,
    StartBreak,
    EndBreak,
    GoOffline,

    /// <summary>Offline with force: held conversations go back to their queues (AS-9).</summary>
    GoOfflineForced,
}

/// <summary>
/// Without <paramref name="Agent"/>: the <paramref name="Pick"/>-th (modulo) agent whose presence allows the action
/// now. With it: that agent whatever their state (often refused).
/// </summary>
public sealed record AgentStep(AgentAction Action, int Pick, string? Agent = null) : Op
{
    public override string ToString() => $"{Action}({(Agent is null ? "#" + Pick : Agent)})";
}

/// <summary>A customer arrives in a group; <paramref name="WrongMode"/> sends a conversation of the other mode (refused).</summary>
public sealed record Arrive(string Group, string Visitor, bool WrongMode) : Op
{
    public override string ToString() => $"Arrive({Group}, {Visitor}{(WrongMode ? ", wrong mode" : "")})";
}

public enum ConversationAction
{
    /// <summary>Offered ones: AS-3.</summary>
    Answer,

    /// <summary>Active ones: 结束会话 / hang up.</summary>
    End,

    /// <summary>Ended ones: 完成会话 for chat (AS-5), 继续接听 for a call in its after-call window (AS-6).</summary>
    Complete,

    /// <summary>Ended calls in their after-call window: 话后整理 (AS-6).</summary>
    WrapUp,

    /// <summary>Ended calls in wrap-up: ended from the menu (AS-6).</summary>
    FinishWrapUp,

    /// <summary>Any live one: the customer leaves.</summary>
    Abandon,

    /// <summary>Any offered, active or ended one: its holder takes the next step of its lifecycle, whichever it is.</summary>
    Progress,
}

/// <summary>
/// <paramref name="Pick"/> indexes (modulo) the live conversations the action applies to now, in arrival order;
/// <paramref name="By"/> makes another agent than the holder try it (refused unless it happens to be the holder).
/// </summary>
public sealed record Act(ConversationAction Action, int Pick, string? By = null) : Op
{
    public override string ToString() => $"{Action}(#{Pick}{(By is null ? "" : " by " + By)})";
}

public sealed record Advance(int Seconds) : Op
{
    public override string ToString() => $"Advance({Seconds}s)";
}

/// <summary>Two steps sent at once from two threads, then quiescence: races between callers and with timers.</summary>
public sealed record Together(Op First, Op Second) : Op
{
    public override string ToString() => $"Together({First} | {Second})";
}

public sealed record RoutingCase(World World, IReadOnlyList<Op> Ops)
{
    public override string ToString()
        => $"{World}{Environment.NewLine}  ops: {string.Join(", ", Ops)}";
}

/// <summary>Generators and the shrinker of <see cref="RoutingCase"/>.</summary>
public static class RoutingCases
{
    private static readonly string[] Visitors = ["v1", "v2", "v3", "v4"];

    /// <param name="timeoutsAlways">Timeout transfer on in both modes (AS-4, RT-4), and clock steps more often.</param>
    public static Arbitrary<RoutingCase> Arbitrary(int maxSteps, bool timeoutsAlways)
        => Arb.From(CaseGen(maxSteps, timeoutsAlways), Shrink);

    private static Gen<RoutingCase> CaseGen(int maxSteps, bool timeoutsAlways)
        => from world in WorldGen(timeoutsAlways)
           from count in Gen.Choose(maxSteps / 4, maxSteps)
           from ops in Gen.ListOf(OpGen(world, timeoutsAlways ? 14 : 7), count)
           select new RoutingCase(world, [.. ops]);

    private static Gen<World> WorldGen(bool timeoutsAlways)
        => from chat1Cap in Gen.Choose(1, 3)
           from chat2Cap in Gen.Choose(1, 3)
           from overflow in Gen.Elements(true, false)
           from online in SettingsGen(timeoutsAlways)
           from phone in SettingsGen(timeoutsAlways)
           from agentCount in Gen.Choose(3, 5)
           from masks in Gen.ListOf(Gen.Choose(1, 7), agentCount)
           from starts in Gen.ListOf(Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false))), agentCount)
           select new World(chat1Cap, chat2Cap, overflow && online.TimeoutTransfer, online, phone, [.. masks.Zip(starts).Select(ToAgent)]);

    private static AgentSpec ToAgent((int Mask, bool StartsOnline) agent, int index)
        => new($"a{index + 1}", [.. World.Groups.Where((_, bit) => (agent.Mask & (1 << bit)) != 0)], agent.StartsOnline);

    private static Gen<RoutingSettings> SettingsGen(bool timeoutsAlways)
        => from policy in Gen.Elements(AllocationPolicyKind.LongestIdle, AllocationPolicyKind.FewestActive, AllocationPolicyKind.RoundRobin)
           from lastAgent in Gen.Elements(true, false)
           from timeout in timeoutsAlways ? Gen.Constant(true) : Gen.Elements(true, false)
           from timeoutSeconds in Gen.Elements(10, 20, 30)
           from recovery in Gen.Elements(true, false)
           from recoverySeconds in Gen.Elements(5, 10, 20)
           from afterCall in Gen.Elements(15, 30, 60)
           select new RoutingSettings
           {
               Policy = policy,
               LastAgentPriority = lastAgent,
               TimeoutTransfer = timeout,
               TimeoutTransferSeconds = timeoutSeconds,
               StatusRecovery = recovery,
               StatusRecoverySeconds = recoverySeconds,
               AfterCallSeconds = afterCall,
           };

    private static Gen<Op> OpGen(World world, int advanceWeight)
    {
        var single = SingleOpGen(world, advanceWeight);
        return Gen.Frequency(
            (9, single),
            (1, from first in single from second in single select (Op)new Together(first, second)));
    }

    private static Gen<Op> SingleOpGen(World world, int advanceWeight)
    {
        var agent = Gen.Elements(world.Agents.Select(a => a.Id).ToArray());
        var pick = Gen.Choose(0, 7);
        var byWhom = Gen.Frequency((12, Gen.Constant<string?>(null)), (1, agent.Select(a => (string?)a)));
        Gen<Op> Acting(ConversationAction action) => from p in pick from b in byWhom select (Op)new Act(action, p, b);
        Gen<Op> Presence(AgentAction action) => Gen.Frequency(
            (8, pick.Select(p => (Op)new AgentStep(action, p))),
            (1, agent.Select(a => (Op)new AgentStep(action, 0, a))));
        return Gen.Frequency(
            (7, Presence(AgentAction.GoOnline)),
            (2, Presence(AgentAction.StartBreak)),
            (6, Presence(AgentAction.EndBreak)),
            (1, Presence(AgentAction.GoOffline)),
            (1, Presence(AgentAction.GoOfflineForced)),
            (14, from g in Gen.Elements(World.Groups)
                 from v in Gen.Elements(Visitors)
                 from wrong in Gen.Frequency((24, Gen.Constant(false)), (1, Gen.Constant(true)))
                 select (Op)new Arrive(g, v, wrong)),
            (24, Acting(ConversationAction.Progress)),
            (5, Acting(ConversationAction.Answer)),
            (3, Acting(ConversationAction.End)),
            (3, Acting(ConversationAction.Complete)),
            (2, Acting(ConversationAction.WrapUp)),
            (2, Acting(ConversationAction.FinishWrapUp)),
            (4, Acting(ConversationAction.Abandon)),
            (advanceWeight, Gen.Elements(1, 5, 10, 20, 30, 45, 60, 120, 300).Select(s => (Op)new Advance(s))));
    }

    /// <summary>Shorter runs first (halves, quarters, single steps), then shorter clock steps; the world stays.</summary>
    private static IEnumerable<RoutingCase> Shrink(RoutingCase c)
    {
        var ops = c.Ops;
        for (var chunk = ops.Count / 2; chunk >= 1; chunk /= 2)
        {
            for (var start = ops.Count - chunk; start >= 0; start -= chunk)
                yield return c with { Ops = [.. ops.Take(start), .. ops.Skip(start + chunk)] };
        }
        for (var i = 0; i < ops.Count; i++)
        {
            switch (ops[i])
            {
                case Advance { Seconds: > 1 } advance:
                    yield return c with { Ops = [.. ops.Take(i), new Advance(advance.Seconds / 2), .. ops.Skip(i + 1)] };
                    break;
                case Act { By: not null } act:
                    yield return c with { Ops = [.. ops.Take(i), act with { By = null }, .. ops.Skip(i + 1)] };
                    break;
                case Act { Pick: > 0 } act:
                    yield return c with { Ops = [.. ops.Take(i), act with { Pick = 0 }, .. ops.Skip(i + 1)] };
                    break;
                case AgentStep { Agent: null, Pick: > 0 } step:
                    yield return c with { Ops = [.. ops.Take(i), step with { Pick = 0 }, .. ops.Skip(i + 1)] };
                    break;
                case Together together:
                    yield return c with { Ops = [.. ops.Take(i), together.First, together.Second, .. ops.Skip(i + 1)] };
                    yield return c with { Ops = [.. ops.Take(i), together.First, .. ops.Skip(i + 1)] };
                    yield return c with { Ops = [.. ops.Take(i), together.Second, .. ops.Skip(i + 1)] };
                    break;
            }
        }
    }
}
