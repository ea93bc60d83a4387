using Engine.Flows;
using Engine.StateMachines;

namespace Engine.Tests.Flows;

/// <summary>FL-6: every transition the lifecycle allows, and every other (status, trigger) refused naming the status.</summary>
public sealed class FlowLifecycleTests
{
    /// <summary>The spec's table, written out apart from the machine.</summary>
    private static readonly Dictionary<(FlowStatus, FlowTrigger), FlowStatus> Allowed = new()
    {
        [(FlowStatus.Unpublished, FlowTrigger.Edit)] = FlowStatus.Unpublished,
        [(FlowStatus.Unpublished, FlowTrigger.Publish)] = FlowStatus.Published,
        [(FlowStatus.Unpublished, FlowTrigger.Delete)] = FlowStatus.Deleted,
        [(FlowStatus.Published, FlowTrigger.Unpublish)] = FlowStatus.Unpublished,
        [(FlowStatus.Published, FlowTrigger.Bind)] = FlowStatus.InUse,
        [(FlowStatus.InUse, FlowTrigger.Bind)] = FlowStatus.InUse,
        [(FlowStatus.InUse, FlowTrigger.UnbindLast)] = FlowStatus.Published,
    };

    [Fact]
    public void FL6_Each_status_allows_exactly_its_transitions_and_refuses_the_rest_naming_the_status()
    {
        foreach (var status in Enum.GetValues<FlowStatus>())
        {
            foreach (var trigger in Enum.GetValues<FlowTrigger>())
            {
                if (Allowed.TryGetValue((status, trigger), out var to))
                {
                    Assert.Equal(to, FlowLifecycle.Machine.Fire(status, trigger));
                    continue;
                }
                var refused = Assert.Throws<InvalidTransitionException>(() => FlowLifecycle.Machine.Fire(status, trigger));
                Assert.Equal(status.ToString(), refused.State);
            }
        }
    }
}
