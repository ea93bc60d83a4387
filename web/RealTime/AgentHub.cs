using Engine.Grains.Routing;
using Engine.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>
/// <c>/hubs/agent</c>: a signed-in agent's workbench. The hub only forwards: the agent's grain pushes what the
/// workbench shows (<see cref="AgentPush"/>: <c>status</c>, <c>offerRinging</c>, <c>offerWithdrawn</c>) through
/// this server's <see cref="AgentRelay"/>, and the workbench acts through the REST API or the hub's methods.
/// </summary>
[Authorize(Policies.Member)]
public sealed class AgentHub(AgentRelay relay, IGrainFactory grains) : Hub
{
    public const string Path = "/hubs/agent";

    public override async Task OnConnectedAsync()
    {
        if (Context.GetHttpContext() is { } http && !HubOrigins.Allowed(http)) throw new HubException("The workbench connects from this server's own pages only.");
        var (tenant, agentId) = Caller();
        await Groups.AddToGroupAsync(Context.ConnectionId, AgentRelay.GroupOf(tenant, agentId));
        await relay.ConnectedAsync(tenant, agentId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var (tenant, agentId) = Caller();
        await relay.DisconnectedAsync(tenant, agentId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>The agent's presence and work now: what a workbench shows on (re)connecting, before the pushes that follow.</summary>
    public async Task<AgentSnapshot> Snapshot()
    {
        var (tenant, agentId) = Caller();
        return await grains.Agent(tenant, agentId).GetSnapshot();
    }

    private (string Tenant, string AgentId) Caller()
        => (Context.User!.TenantId() ?? throw new HubException("Only a tenant's agents and admins have a workbench."), Context.User!.UserId());
}
