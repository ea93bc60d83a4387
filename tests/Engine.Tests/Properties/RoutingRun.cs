using Engine.Tests.Routing;
using System.Text;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Tests.Properties;

/// <summary>
/// Plays one <see cref="RoutingCase"/> through the grains on a fresh host: each step, then quiescence, then
/// <see cref="RoutingInvariants"/>. A broken invariant throws with the world, the trace and what broke.
/// </summary>
public sealed class RoutingRun
{
    /// <summary>
    /// Advances go in steps no longer than this, each followed by quiescence: shorter than the runtime's call
    /// timeout, so that a turn started by a timer never sees the clock jump past its own call's deadline.
    /// </summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(5);

    private readonly RoutingHost _host;
    private readonly RoutingCase _case;
    private readonly List<string> _started = [];
    private readonly List<string> _trace = [];
    private RoutingInvariants.Observation _last = RoutingInvariants.Observation.Empty;

    private RoutingRun(RoutingHost host, RoutingCase routingCase)
    {
        _host = host;
        _case = routingCase;
    }

    /// <summary>
    /// Synchronous for FsCheck; the run itself goes on the thread pool, away from any test synchronization context.
    /// Each run is a tenant of its own on <paramref name="cluster"/>, or on a cluster of its own when none is given.
    /// </summary>
    public static void Play(RoutingCase routingCase, RoutingHost? cluster = null) => Task.Run(() => PlayAsync(routingCase, cluster)).GetAwaiter().GetResult();

    private static async Task PlayAsync(RoutingCase routingCase, RoutingHost? cluster)
    {
        await using var host = cluster?.ForTenant("run-" + Guid.NewGuid().ToString("N")) ?? await RoutingHost.StartAsync();
        var run = new RoutingRun(host, routingCase);
        await run.SetUpAsync();
        await run.CheckAsync("set-up");
        foreach (var op in routingCase.Ops) await run.StepAsync(op);
    }

    private World W => _case.World;

    private async Task SetUpAsync()
    {
        var tenant = _host.TenantGrain;
        await tenant.SetModeSettings(ServiceMode.Online, W.Online);
        await tenant.SetModeSettings(ServiceMode.Phone, W.Phone);
        await tenant.CreateSkillGroup(World.Chat1, ServiceMode.Online, W.Chat1Cap, []);
        IReadOnlyList<string> overflow = W.Chat2OverflowsToChat1 ? [World.Chat1] : [];
        await tenant.CreateSkillGroup(World.Chat2, ServiceMode.Online, W.Chat2Cap, overflow);
        await tenant.CreateSkillGroup(World.PhoneGroup, ServiceMode.Phone, 1, []);
        foreach (var agent in W.Agents)
        {
            foreach (var group in agent.Groups) await _host.Group(group).AddMember(agent.Id);
        }
        foreach (var agent in W.Agents.Where(a => a.StartsOnline))
        {
            await _host.Agent(agent.Id).GoOnline();
            // Distinct idle times, as agents coming online one after another.
            _host.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await _host.IdleAsync();
    }

    private async Task StepAsync(Op op)
    {
        var line = new StringBuilder($"{_trace.Count + 1,3}. ");
        if (op is Together together)
        {
            var first = new StringBuilder(together.First.ToString());
            var second = new StringBuilder(together.Second.ToString());
            await Task.WhenAll(
                Task.Run(() => ApplyAsync(together.First, first, alone: false)),
                Task.Run(() => ApplyAsync(together.Second, second, alone: false)));
            line.Append($"Together: {first} | {second}");
        }
        else
        {
            line.Append(op);
            await ApplyAsync(op, line, alone: true);
        }
        _trace.Add(line.ToString());
        await _host.IdleAsync();
        await CheckAsync(op.ToString());
    }

    /// <param name="alone">False when another step runs at the same time: then nothing is checked before the step is over.</param>
    private async Task ApplyAsync(Op op, StringBuilder line, bool alone)
    {
        try
        {
            await ApplyOneAsync(op, line, alone);
        }
        catch (DomainException e)
        {
            // Refused in the current state: expected of random steps, and it must leave no trace (checked after the step).
            line.Append($" -> refused: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task ApplyOneAsync(Op op, StringBuilder line, bool alone)
    {
        switch (op)
        {
            case AgentStep o:
                await AgentStepAsync(o, line);
                break;
            case Arrive o:
                string id;
                lock (_started)
                {
                    id = "c" + (_started.Count + 1);
                    _started.Add(id);
                }
                var mode = W.ModeOf(o.Group);
                if (o.WrongMode) mode = mode == ServiceMode.Online ? ServiceMode.Phone : ServiceMode.Online;
                line.Append($" -> {id}");
                var (_, position) = await _host.Conversation(id).Start(o.Visitor, mode, o.Group);
                line.Append(position < 0 ? " offered at once" : $" queued at {position}");
                break;
            case Act o:
                await ActAsync(o, line);
                break;
            case Advance o:
                await AdvanceAsync(TimeSpan.FromSeconds(o.Seconds), alone);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown step.");
        }
    }

    private async Task AgentStepAsync(AgentStep step, StringBuilder line)
    {
        var id = step.Agent;
        if (id is null)
        {
            var candidates = W.Agents.Select(a => a.Id).Where(a => Allows(step.Action, _last.Agents[a].Presence)).ToList();
            if (candidates.Count == 0)
            {
                line.Append(" -> no agent to act");
                return;
            }
            id = candidates[step.Pick % candidates.Count];
            line.Append($" -> {id}");
        }
        var agent = _host.Agent(id);
        switch (step.Action)
        {
            case AgentAction.GoOnline:
                await agent.GoOnline();
                break;
            case AgentAction.StartBreak:
                await agent.StartBreak();
                break;
            case AgentAction.EndBreak:
                await agent.EndBreak();
                break;
            case AgentAction.GoOffline or AgentAction.GoOfflineForced:
                await agent.GoOffline(step.Action == AgentAction.GoOfflineForced);
                break;
        }
    }

    private static bool Allows(AgentAction action, Presence presence) => action switch
    {
        AgentAction.GoOnline => presence == Presence.Offline,
        AgentAction.StartBreak => presence == Presence.Online,
        AgentAction.EndBreak => presence == Presence.Break,
        _ => presence != Presence.Offline,
    };

    private async Task ActAsync(Act act, StringBuilder line)
    {
        List<string> started;
        lock (_started) started = [.. _started];
        var candidates = started
            .Where(id => _last.Conversations.GetValueOrDefault(id) is { } c && Applies(act.Action, c, StageOf(c)))
            .ToList();
        if (candidates.Count == 0)
        {
            line.Append(" -> nothing to act on");
            return;
        }
        var id = candidates[act.Pick % candidates.Count];
        var snapshot = _last.Conversations[id]!;
        var action = act.Action == ConversationAction.Progress ? NextStep(snapshot, StageOf(snapshot), act.Pick) : act.Action;
        var agent = act.By ?? snapshot.AgentId ?? "nobody";
        line.Append($" -> {(act.Action == ConversationAction.Progress ? action + " " : "")}{id} by {agent}");
        var conversation = _host.Conversation(id);
        switch (action)
        {
            case ConversationAction.Answer:
                await conversation.Answer(agent);
                break;
            case ConversationAction.End:
                await conversation.End(agent);
                break;
            case ConversationAction.Complete:
                await conversation.Complete(agent);
                break;
            case ConversationAction.WrapUp:
                await conversation.EnterWrapUp(agent);
                break;
            case ConversationAction.FinishWrapUp:
                await conversation.FinishWrapUp(agent);
                break;
            case ConversationAction.Abandon:
                await conversation.Abandon();
                break;
        }
    }

    private WorkStage? StageOf(ConversationSnapshot c)
        => c.AgentId is { } agent && _last.Agents.TryGetValue(agent, out var a) ? a.Work.FirstOrDefault(w => w.ConversationId == c.Id)?.Stage : null;

    private static bool Applies(ConversationAction action, ConversationSnapshot c, WorkStage? stage) => action switch
    {
        ConversationAction.Answer => c.Status == ConversationStatus.Offered,
        ConversationAction.End => c.Status == ConversationStatus.Active,
        ConversationAction.Complete => c.Status == ConversationStatus.Ended && stage is WorkStage.Ended or WorkStage.AfterCall,
        ConversationAction.WrapUp => c.Status == ConversationStatus.Ended && stage == WorkStage.AfterCall,
        ConversationAction.FinishWrapUp => c.Status == ConversationStatus.Ended && stage == WorkStage.WrappingUp,
        ConversationAction.Progress => c.Status is ConversationStatus.Offered or ConversationStatus.Active or ConversationStatus.Ended,
        _ => true,
    };

    /// <summary>What the holder does next: answer, end, then complete (chat) or continue / wrap up (call, by the pick's parity).</summary>
    private static ConversationAction NextStep(ConversationSnapshot c, WorkStage? stage, int pick) => c.Status switch
    {
        ConversationStatus.Offered => ConversationAction.Answer,
        ConversationStatus.Active => ConversationAction.End,
        _ when stage == WorkStage.WrappingUp => ConversationAction.FinishWrapUp,
        _ when stage == WorkStage.AfterCall && pick % 2 == 1 => ConversationAction.WrapUp,
        _ => ConversationAction.Complete,
    };

    /// <summary>In steps of at most <see cref="MaxStep"/>; when alone, invariants checked at each quiescent point.</summary>
    private static readonly TimeSpan CollectAfter = TimeSpan.FromMinutes(1);

    private async Task AdvanceAsync(TimeSpan by, bool alone)
    {
        // Idle collection follows real time, not the test clock: a long advance collects what may be collected now,
        // so that grains deactivate and come back from their state between steps.
        if (by >= CollectAfter) await _host.CollectIdleAsync();
        while (by > TimeSpan.Zero)
        {
            var step = by < MaxStep ? by : MaxStep;
            by -= step;
            _host.Clock.Advance(step);
            await _host.IdleAsync();
            if (alone && by > TimeSpan.Zero) await CheckAsync($"clock at {_host.Clock.GetUtcNow():HH:mm:ss}");
        }
    }

    private async Task CheckAsync(string after)
    {
        _last = await RoutingInvariants.ObserveAsync(_host, W, _started);
        var violations = RoutingInvariants.Violations(_last).ToList();
        violations.AddRange(_host.Failures.Entries.Select(f => "runtime log: " + f));
        if (violations.Count == 0) return;
        var message = new StringBuilder()
            .AppendLine($"Invariant broken after step {_trace.Count} ({after}) at {_host.Clock.GetUtcNow():HH:mm:ss}:")
            .AppendJoin(Environment.NewLine, violations.Select(v => "  - " + v)).AppendLine()
            .AppendLine($"World: {W}")
            .AppendLine("Trace:")
            .AppendJoin(Environment.NewLine, _trace).AppendLine()
            .AppendLine("State:")
            .Append(_last.Describe());
        throw new InvariantException(message.ToString());
    }
}

public sealed class InvariantException(string message) : Exception(message);
