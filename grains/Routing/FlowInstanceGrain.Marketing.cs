using Engine.Flows;
using Engine.Marketing;
using Engine.StateMachines;

namespace Engine.Grains.Routing;

/// <summary>
/// The steps a marketing account's chat takes beyond a designed flow (MK-4, MK-5): at the Transfer, the account's hours
/// decide between its staff and the robot, and the no-agent prompt is said when nobody can take the visitor now; a menu
/// pick of the welcome is read as the item's text; the robot answers from the tenant's FAQ.
/// </summary>
public sealed partial class FlowInstanceGrain
{
    private ReceptionDesk? _desk;

    private string? AccountOf() => S.Exists ? AccountFlow.AccountOf(S.FlowId) : null;

    /// <summary>Where the customer came from, for the conversation's record (DB-6, DB-7).</summary>
    private Engine.Conversations.ConversationOrigin Origin() => new(S.ChannelId, AccountOf(), S.Region);

    private async ValueTask<ReceptionDesk> DeskAsync(string account)
        => _desk ??= await desks.GetAsync(Tenant, account, CancellationToken.None) ?? throw new DomainException($"Marketing account {account} is gone.");

    /// <summary>
    /// MK-4: outside hours the robot receives the visitor until the hours begin. In hours the conversation joins the
    /// account's queue even with nobody online (a staff member coming online takes it); the no-agent prompt says so
    /// (MK-5: unless staff are online and the account keeps quiet then), and in "all hours" mode the robot answers while
    /// the visitor waits.
    /// </summary>
    private async ValueTask<FlowStep> AccountTransferAsync(FlowDefinition definition, string account, TimeSpan? replyTimeout)
    {
        var desk = await DeskAsync(account);
        var noAgent = desk.Prompts.NoAgent;
        if (!desk.Hours.IsOpen(Now))
        {
            var off = FlowInterpreter.Step(S.Mode, definition, S.Flow, new StaffOffHours(desk.Hours.NextOpening(Now)), Now);
            return noAgent.Enabled ? off with { Effects = [new SendText(noAgent.Text), .. off.Effects] } : off;
        }
        var online = (await GrainFactory.SkillGroup(Tenant, account).GetSnapshot()).OnlineAgents;
        var started = await GrainFactory.Conversation(Tenant, Key).StartFromFlow(S.VisitorId, S.Mode, account, replyTimeout, requireOnline: false, Origin());
        if (started.Position < 0) return new FlowStep(S.Flow, [], Handled: true);
        var effects = new List<FlowEffect>();
        if (noAgent.Enabled && (online == 0 || !noAgent.SilentWhileStaffOnline)) effects.Add(new SendText(noAgent.Text));
        var state = S.Flow;
        if (desk.Robot == RobotMode.AllHours) state = FlowInterpreter.Step(S.Mode, definition, state, new StaffAtCap(), Now).State;
        // RT-6: the queue prompt (when on) tells the place, unless nobody is online to move the queue.
        if (online > 0)
        {
            var queued = FlowInterpreter.Step(S.Mode, definition, state, new QueuePosition(started.Position), Now);
            (state, effects) = (queued.State, [.. effects, .. queued.Effects]);
        }
        return new FlowStep(state, effects, Handled: true);
    }

    /// <summary>MK-5: a visitor's answer that picks a welcome menu item (its number or text) stands for the item's text.</summary>
    private async ValueTask<string?> MenuPickAsync(string? text)
    {
        if (text is null || AccountOf() is not { } account) return text;
        var prompts = (await DeskAsync(account)).Prompts;
        return prompts.Welcome.Enabled ? prompts.MenuChoice(text) ?? text : text;
    }

    private async ValueTask<FlowReply> RobotReplyAsync(string question, RobotSituation situation)
    {
        var found = await GrainFactory.Faq(Tenant).Ask(question);
        return new FlowReply("text", RobotReplies.Reply(found.Answer, found.Confidence, situation), From: FlowReply.FromRobot);
    }

    /// <summary>The begun run and the first input's outcome as one answer: the replies of both, where the run stands after the input.</summary>
    private static FlowOutcome Joined(FlowOutcome begun, FlowOutcome then) => then with { Replies = [.. begun.Replies, .. then.Replies] };
}
