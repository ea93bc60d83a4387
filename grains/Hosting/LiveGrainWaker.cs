using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engine.Grains.Hosting;

/// <summary>
/// The durable wake-up of the engine's deadlines: live conversations and skill groups are activated when the silo
/// starts, and each re-arms its timers from its stored state (AS-4 offer timeouts, FL-5 reply timeouts, RT-4
/// overflow checks); the groups wake their online members, who re-arm their after-call deadlines. In a cluster, when
/// a silo is declared dead, one survivor (the active silo with the lowest address) wakes them all again: the dead
/// silo's live grains come back on the others from their stored state, and the rest answer at once.
/// </summary>
internal sealed partial class LiveGrainWaker(
    ILiveConversations live,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime,
    ILogger<LiveGrainWaker> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        await WakeAllAsync("start", cancellationToken).ConfigureAwait(false);
        _ = Task.Run(() => WatchAsync(lifetime.ApplicationStopping), CancellationToken.None);
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stopping).ConfigureAwait(false))
            {
                var newlyDead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)).ToList();
                if (newlyDead.Count == 0) continue;
                var waker = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).Min();
                if (!silo.SiloAddress.Equals(waker)) continue;
                LogSiloDead(logger, string.Join(", ", newlyDead.Select(m => m.SiloAddress)));
                await WakeAllAsync("a silo was lost", stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
        catch (Exception error)
        {
            LogWatchFailed(logger, error);
        }
    }

    private async Task WakeAllAsync(string why, CancellationToken cancellationToken)
    {
        var groups = await live.ListAsync(SkillGroupGrain.TypeName, cancellationToken).ConfigureAwait(false);
        foreach (var group in groups) await grains.GetGrain<ISkillGroupGrain>(EngineKey.Of(group.Tenant, group.Key)).Wake().ConfigureAwait(false);
        var conversations = await live.ListAsync(ConversationGrain.TypeName, cancellationToken).ConfigureAwait(false);
        foreach (var conversation in conversations) await grains.GetGrain<IConversationGrain>(EngineKey.Of(conversation.Tenant, conversation.Key)).Wake().ConfigureAwait(false);
        // Runs of a flow waiting for a deadline (a phone branch's timeout) re-arm it as they activate.
        var flows = await live.ListAsync(FlowInstanceGrain.TypeName, cancellationToken).ConfigureAwait(false);
        foreach (var flow in flows) await grains.GetGrain<IFlowInstanceGrain>(EngineKey.Of(flow.Tenant, flow.Key)).Wake().ConfigureAwait(false);
        LogWoken(logger, groups.Count, conversations.Count, flows.Count, why);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Woke {Groups} skill group(s), {Conversations} live conversation(s) and {Flows} flow run(s) from storage ({Why})")]
    private static partial void LogWoken(ILogger logger, int groups, int conversations, int flows, string why);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Silo(s) {Silos} declared dead: waking the live grains")]
    private static partial void LogSiloDead(ILogger logger, string silos);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Watching the cluster's membership failed: live grains of a lost silo wake only when called")]
    private static partial void LogWatchFailed(ILogger logger, Exception error);
}
