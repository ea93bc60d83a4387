using Engine.StateMachines;

namespace Engine.Agents;

/// <summary>The two transition tables of an agent: presence, and the stage of each conversation held.</summary>
public static class AgentMachine
{
    public static readonly TransitionTable<Presence, PresenceTrigger> Presence = new TransitionTable<Presence, PresenceTrigger>("AgentPresence")
        .Permit(Agents.Presence.Offline, PresenceTrigger.GoOnline, Agents.Presence.Online)
        .Permit(Agents.Presence.Online, PresenceTrigger.StartBreak, Agents.Presence.Break)
        .Permit(Agents.Presence.Online, PresenceTrigger.MissOffer, Agents.Presence.Break)
        .Permit(Agents.Presence.Break, PresenceTrigger.MissOffer, Agents.Presence.Break)
        .Permit(Agents.Presence.Break, PresenceTrigger.EndBreak, Agents.Presence.Online)
        .Permit(Agents.Presence.Online, PresenceTrigger.GoOffline, Agents.Presence.Offline)
        .Permit(Agents.Presence.Break, PresenceTrigger.GoOffline, Agents.Presence.Offline);

    public static readonly TransitionTable<WorkStage, WorkTrigger> Work = new TransitionTable<WorkStage, WorkTrigger>("AgentWork")
        .Permit(WorkStage.Reserved, WorkTrigger.Answer, WorkStage.Active)
        .Permit(WorkStage.Reserved, WorkTrigger.MissOffer, WorkStage.Done)
        .Permit(WorkStage.Reserved, WorkTrigger.Release, WorkStage.Done)
        .Permit(WorkStage.Active, WorkTrigger.End, WorkStage.Ended)
        .Permit(WorkStage.Active, WorkTrigger.EndCall, WorkStage.AfterCall)
        .Permit(WorkStage.Active, WorkTrigger.Release, WorkStage.Done)
        .Permit(WorkStage.Ended, WorkTrigger.Complete, WorkStage.Done)
        .Permit(WorkStage.Ended, WorkTrigger.Release, WorkStage.Done)
        .Permit(WorkStage.AfterCall, WorkTrigger.Continue, WorkStage.Done)
        .Permit(WorkStage.AfterCall, WorkTrigger.EnterWrapUp, WorkStage.WrappingUp)
        .Permit(WorkStage.AfterCall, WorkTrigger.Recover, WorkStage.Done)
        .Permit(WorkStage.AfterCall, WorkTrigger.Release, WorkStage.Done)
        .Permit(WorkStage.WrappingUp, WorkTrigger.FinishWrapUp, WorkStage.Done)
        .Permit(WorkStage.WrappingUp, WorkTrigger.Recover, WorkStage.Done)
        .Permit(WorkStage.WrappingUp, WorkTrigger.Release, WorkStage.Done);
}
