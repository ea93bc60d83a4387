using Engine.StateMachines;

namespace Engine.Flows;

/// <summary>FL-6: 未发布 Unpublished (new or unpublished again; not usable), 已发布 Published (usable), 使用中 InUse (bound to a channel).</summary>
public enum FlowStatus
{
    Unpublished,
    Published,
    InUse,
    Deleted,
}

public enum FlowTrigger
{
    /// <summary>Save an edit: only an Unpublished flow is edited.</summary>
    Edit,
    Publish,
    Unpublish,

    /// <summary>A channel binds the flow (CH-2); one flow serves many channels.</summary>
    Bind,

    /// <summary>The last channel bound to the flow lets it go.</summary>
    UnbindLast,

    /// <summary>Cannot be recovered.</summary>
    Delete,
}

/// <summary>FL-6 as a state machine: what each status allows. Anything else is refused naming the status.</summary>
public static class FlowLifecycle
{
    public static readonly CompiledStateMachine<FlowStatus, FlowTrigger> Machine = new("Flow", FlowStatus.Unpublished, machine =>
    {
        machine.Configure(FlowStatus.Unpublished)
            .PermitReentry(FlowTrigger.Edit)
            .Permit(FlowTrigger.Publish, FlowStatus.Published)
            .Permit(FlowTrigger.Delete, FlowStatus.Deleted);
        machine.Configure(FlowStatus.Published)
            .Permit(FlowTrigger.Unpublish, FlowStatus.Unpublished)
            .Permit(FlowTrigger.Bind, FlowStatus.InUse);
        machine.Configure(FlowStatus.InUse)
            .PermitReentry(FlowTrigger.Bind)
            .Permit(FlowTrigger.UnbindLast, FlowStatus.Published);
    });
}
