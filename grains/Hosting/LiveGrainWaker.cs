using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Engine.Grains.Hosting;

/// <summary>
/// The durable wake-up of the engine's deadlines: live conversations and skill groups are activated when the silo
/// starts, and each re-arms its timers from its stored state (AS-4 offer timeouts, FL-5 reply timeouts, RT-4
/// overflow checks); the groups wake their online members, who re-arm their after-call deadlines.
/// </summary>
internal sealed partial class LiveGrainWaker(ILiveConversations live, IGrainFactory grains, ILogger<LiveGrainWaker> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        var groups = await live.ListAsync(SkillGroupGrain.TypeName, cancellationToken).ConfigureAwait(false);
        foreach (var group in groups) await grains.GetGrain<ISkillGroupGrain>(EngineKey.Of(group.Tenant, group.Key)).Wake().ConfigureAwait(false);
        var conversations = await live.ListAsync(ConversationGrain.TypeName, cancellationToken).ConfigureAwait(false);
        foreach (var conversation in conversations) await grains.GetGrain<IConversationGrain>(EngineKey.Of(conversation.Tenant, conversation.Key)).Wake().ConfigureAwait(false);
        LogWoken(logger, groups.Count, conversations.Count);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Woke {Groups} skill group(s) and {Conversations} live conversation(s) from storage")]
    private static partial void LogWoken(ILogger logger, int groups, int conversations);
}
