using System.Collections.Concurrent;
using Engine.Grains;
using Engine.Grains.Hosting;
using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Engine.Tests.Routing;

/// <summary>What an engine grain's turn sees of the audit record of the admin's change that called it (issue 12, audit trail).</summary>
public sealed class AuditContextTests
{
    [Fact]
    public async Task An_awaited_call_carries_the_changes_audit_record_and_a_one_way_notification_does_not()
    {
        await using var host = await RoutingHost.StartAsync();
        var probe = host.Grains.GetGrain<IContextProbeGrain>(EngineKey.Of(RoutingHost.Tenant, "probe-" + Guid.NewGuid().ToString("N")));
        RequestContext.Set(AuditContext.Key, "{\"Id\":\"r1\"}");
        try
        {
            await probe.Ask("awaited");
            await probe.Notify("one-way");
            await host.IdleAsync();
        }
        finally
        {
            RequestContext.Remove(AuditContext.Key);
        }
        Assert.Equal("{\"Id\":\"r1\"}", ContextProbeGrain.Seen["awaited"]);
        Assert.Equal("(none)", ContextProbeGrain.Seen["one-way"]);
    }
}

public interface IContextProbeGrain : IGrainWithStringKey
{
    ValueTask Ask(string call);

    [OneWay]
    ValueTask Notify(string call);
}

/// <summary>An engine grain (its calls pass the engine's incoming filter) that notes the audit record each turn sees.</summary>
public sealed class ContextProbeGrain([PersistentState("state", EngineGrainStorage.Name)] IPersistentState<VisitorState> state, TimeProvider time)
    : EngineGrain<VisitorState>(state, time), IContextProbeGrain
{
    public static ConcurrentDictionary<string, string> Seen { get; } = new();

    public ValueTask Ask(string call) => Note(call);

    public ValueTask Notify(string call) => Note(call);

    private static ValueTask Note(string call)
    {
        Seen[call] = RequestContext.Get(AuditContext.Key) as string ?? "(none)";
        return default;
    }
}
