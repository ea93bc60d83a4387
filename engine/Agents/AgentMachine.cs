using Engine.StateMachines;

namespace Engine.Agents;

/// <summary>The two state machines of an agent: presence, and the stage of each conversation held.</summary>
public static class AgentMachine
{
    /// <summary>What the agent chose, or the system set (AS-4: a missed offer puts an online agent on break).</summary>
    public static readonly CompiledStateMachine<Presence, PresenceTrigger> Presence = new("AgentPresence", Agents.Presence.Offline, machine =>
    {
        machine.Configure(Agents.Presence.Offline)
            .Permit(PresenceTrigger.GoOnline, Agents.Presence.Online);

        machine.Configure(Agents.Presence.Online)
            .Permit(PresenceTrigger.StartBreak, Agents.Presence.Break)
            .Permit(PresenceTrigger.MissOffer, Agents.Presence.Break)
            .Permit(PresenceTrigger.GoOffline, Agents.Presence.Offline);

        machine.Configure(Agents.Presence.Break)
            .PermitReentry(PresenceTrigger.MissOffer)
            .Permit(PresenceTrigger.EndBreak, Agents.Presence.Online)
            .Permit(PresenceTrigger.GoOffline, Agents.Presence.Offline);
    });

    /// <summary>One conversation in the agent's hands, from the reserved offer until it leaves them (Done).</summary>
    public static readonly CompiledStateMachine<WorkStage, WorkTrigger> Work = new("AgentWork", WorkStage.Reserved, machine =>
    {
        machine.Configure(WorkStage.Reserved)
            .Permit(WorkTrigger.Answer, WorkStage.Active)
            .Permit(WorkTrigger.MissOffer, WorkStage.Done)
            .Permit(WorkTrigger.Release, WorkStage.Done);

        machine.Configure(WorkStage.Active)
            .Permit(WorkTrigger.End, WorkStage.Ended)
            .Permit(WorkTrigger.EndCall, WorkStage.AfterCall)
            .Permit(WorkTrigger.Release, WorkStage.Done);

        machine.Configure(WorkStage.Ended)
            .Permit(WorkTrigger.Complete, WorkStage.Done)
            .Permit(WorkTrigger.Release, WorkStage.Done);

        machine.Configure(WorkStage.AfterCall)
            .Permit(WorkTrigger.Continue, WorkStage.Done)
            .Permit(WorkTrigger.EnterWrapUp, WorkStage.WrappingUp)
            .Permit(WorkTrigger.Recover, WorkStage.Done)
            .Permit(WorkTrigger.Release, WorkStage.Done);

        machine.Configure(WorkStage.WrappingUp)
            .Permit(WorkTrigger.FinishWrapUp, WorkStage.Done)
            .Permit(WorkTrigger.Recover, WorkStage.Done)
            .Permit(WorkTrigger.Release, WorkStage.Done);
    });
}
