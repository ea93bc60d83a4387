using Engine.Flows;
using Engine.Routing;
using FsCheck.Xunit;

namespace Engine.Tests.Flows;

/// <summary>
/// Random valid flows (online and phone, branches with loops back to earlier branches) under random sequences of
/// events: after every event the flow stands where it can only wait for something that will come (an answer at a
/// Branch, an agent in a queue, the connected conversation's end) or has ended; and answering each Branch leads to a
/// queue or an End within as many answers as the flow has modules. Never stuck.
/// </summary>
public sealed class FlowProperties
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 400)]
    public void FL1_FL3_Any_events_on_a_valid_flow_leave_it_waiting_for_something_or_ended_and_answers_lead_to_a_queue_or_an_End(int seed, bool phone, int[] events)
    {
        var mode = phone ? ServiceMode.Phone : ServiceMode.Online;
        var flow = RandomFlows.Build(mode, new Random(seed));
        Assert.Empty(FlowValidator.Validate(mode, flow, FlowSamples.Groups));

        var now = T0;
        var state = FlowInterpreter.Step(mode, flow, FlowState.Initial, new Begin(), now).State;
        CheckStanding(mode, flow, state);
        var keywords = flow.Modules.OfType<BranchModule>().SelectMany(b => b.Options.SelectMany(o => o.Keywords)).ToList();
        foreach (var code in events)
        {
            var roll = Math.Abs(code % 1000);
            FlowEvent happened = (roll % 10) switch
            {
                0 or 1 or 2 when keywords.Count > 0 => new CustomerSaid(keywords[roll % keywords.Count]),
                3 => new CustomerSaid("?" + roll),
                4 => new DigitsPressed((roll % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                5 => new TimedOut(),
                6 => new QueuePosition(1 + roll % 5),
                7 => new AgentConnected("S" + roll),
                8 => roll % 3 == 0 ? new NoAgentOnline() : new CustomerReplyTimedOut(),
                _ => roll % 7 == 0 ? new CustomerLeft() : new AgentEnded(),
            };
            if (happened is TimedOut && state.DeadlineAt is { } due) now = due;
            else now = now.AddSeconds(1);
            state = FlowInterpreter.Step(mode, flow, state, happened, now).State;
            CheckStanding(mode, flow, state);
        }

        // Answer every Branch with the option closest to a Transfer or an End.
        var distance = RandomFlows.DistanceToWaitingEnd(flow);
        for (var answers = 0; state.Phase == FlowPhase.AwaitingInput; answers++)
        {
            Assert.True(answers <= flow.Modules.Count, $"still answering branches after {answers} answers at {state.ModuleId}");
            var branch = (BranchModule)flow.Find(state.ModuleId)!;
            var option = branch.Options.MinBy(o => distance[o.Next!])!;
            state = FlowInterpreter.Step(mode, flow, state, new CustomerSaid(option.Keywords[0]), now).State;
            CheckStanding(mode, flow, state);
        }
        Assert.Contains(state.Phase, new[] { FlowPhase.Queued, FlowPhase.Connected, FlowPhase.Ended });
    }

    /// <summary>Where a flow may stand between events, with the deadline it needs.</summary>
    private static void CheckStanding(ServiceMode mode, FlowDefinition flow, FlowState state)
    {
        var module = flow.Find(state.ModuleId);
        switch (state.Phase)
        {
            case FlowPhase.AwaitingInput:
                Assert.IsType<BranchModule>(module);
                Assert.Equal(mode == ServiceMode.Phone, state.DeadlineAt is not null);
                break;
            case FlowPhase.Queued:
                Assert.IsType<TransferModule>(module);
                Assert.Null(state.DeadlineAt);
                break;
            case FlowPhase.Connected:
                Assert.IsType<TransferModule>(module);
                Assert.Null(state.DeadlineAt);
                break;
            case FlowPhase.Ended:
                Assert.Null(state.DeadlineAt);
                break;
            default:
                Assert.Fail($"the flow stands at {state.Phase}, where nothing moves it on");
                break;
        }
    }
}

/// <summary>Valid flows grown at random: a tree of messages, branches and transfers ending in Ends, with options looping back to earlier branches.</summary>
internal static class RandomFlows
{
    public static FlowDefinition Build(ServiceMode mode, Random random)
    {
        var modules = new List<FlowModule>();
        var count = 0;
        string NewId(string kind) => $"{kind}{++count}";
        var group = mode == ServiceMode.Phone ? "g-hotline" : "g-products";

        string End()
        {
            var id = NewId("end");
            modules.Add(mode == ServiceMode.Phone || random.Next(2) == 0
                ? new EndModule(id, "End")
                : new EndModule(id, "End", ReplyTimeoutSeconds: 1 + random.Next(120), TimeoutMessage: "bye", AgentEndedMessage: "thanks"));
            return id;
        }

        string Node(int depth, List<string> branches)
        {
            var kind = depth == 0 ? random.Next(2) : random.Next(4);
            switch (kind)
            {
                case 0:
                    return End();
                case 1:
                {
                    var id = NewId("transfer");
                    modules.Add(new TransferModule(id, "Transfer", group, "wait ${WaitNo}", "none online", "agent ${StaffNo}", End()));
                    return id;
                }
                case 2:
                {
                    var id = NewId("message");
                    var next = Node(depth - 1, branches);
                    modules.Add(mode == ServiceMode.Phone && random.Next(2) == 0
                        ? new MessageModule(id, "Play", null, next, "audio-ok")
                        : new MessageModule(id, "Say", "hello " + id, next));
                    return id;
                }
                default:
                {
                    var id = NewId("branch");
                    var inner = new List<string>(branches) { id };
                    var options = new List<BranchOption>();
                    var width = 1 + random.Next(3);
                    for (var i = 0; i < width; i++)
                    {
                        var loopsBack = i > 0 && random.Next(4) == 0;
                        var next = loopsBack ? inner[random.Next(inner.Count)] : Node(depth - 1, inner);
                        var keyword = mode == ServiceMode.Phone ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{id}-{i}";
                        options.Add(new BranchOption($"option {i}", [keyword], next));
                    }
                    modules.Add(mode == ServiceMode.Phone
                        ? new BranchModule(id, "Menu", "press", "wrong", options, "no key", 1 + random.Next(30), 1 + random.Next(4))
                        : new BranchModule(id, "Menu", "choose", "again", options));
                    return id;
                }
            }
        }

        var first = Node(1 + random.Next(4), []);
        modules.Insert(0, new StartModule("start", "Start", first));
        return new FlowDefinition(modules);
    }

    /// <summary>For every module, how many connections lie between it and the nearest Transfer or End.</summary>
    public static Dictionary<string, int> DistanceToWaitingEnd(FlowDefinition flow)
    {
        var distance = flow.Modules.ToDictionary(m => m.Id, m => m is TransferModule or EndModule ? 0 : int.MaxValue / 2);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var module in flow.Modules)
            {
                var best = module.Connections().Where(n => n is not null).Select(n => distance[n!] + 1).DefaultIfEmpty(int.MaxValue / 2).Min();
                if (best < distance[module.Id])
                {
                    distance[module.Id] = best;
                    changed = true;
                }
            }
        }
        return distance;
    }
}
