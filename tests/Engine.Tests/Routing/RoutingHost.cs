using System.Collections.Concurrent;
using Engine.Agents;
using Engine.Grains;
using Engine.Grains.Routing;
using Engine.Grains.Runtime;
using Engine.Routing;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Tests.Routing;

/// <summary>The engine's grains on an in-process runtime with a manual clock, and the events they published.</summary>
public sealed class RoutingHost : IAsyncDisposable
{
    public const string Tenant = "t1";
    private readonly ServiceProvider _services;

    private RoutingHost(bool trackQuiescence, IGrainStorage? storage, IReminderStore? reminders, ManualTimeProvider? clock, TimeSpan? idleTimeout, IEngineHistory? history)
    {
        Clock = clock ?? new ManualTimeProvider();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton<IEngineEvents>(Events)
            .AddSingleton<Microsoft.Extensions.Logging.ILogger<GrainRuntime>>(Failures);
        if (storage is not null) services.AddSingleton(storage);
        if (reminders is not null) services.AddSingleton(reminders);
        if (history is not null) services.AddSingleton(history);
        _services = services
            .AddEngineGrains(o =>
            {
                o.TrackQuiescence = trackQuiescence;
                o.IdleTimeout = idleTimeout ?? TimeSpan.FromMinutes(15);
            })
            .BuildServiceProvider();
        Runtime = _services.GetRequiredService<GrainRuntime>();
        Counters = _services.GetRequiredService<EngineCounters>();
        Storage = _services.GetRequiredService<IGrainStorage>();
        Reminders = _services.GetRequiredService<IReminderStore>();
    }

    public IReminderStore Reminders { get; }

    public ManualTimeProvider Clock { get; }
    public RecordingEvents Events { get; } = new();

    /// <summary>What the runtime logged as failed: one-way turns, timers and reminders that threw.</summary>
    public RuntimeFailures Failures { get; } = new();
    public GrainRuntime Runtime { get; }
    public EngineCounters Counters { get; }
    public IGrainStorage Storage { get; }

    /// <summary>Starts a host with grain state, reminders and history on <paramref name="store"/> (null: in memory).</summary>
    public static Task<RoutingHost> StartOnAsync(Persistence.TestStore? store) => store is null
        ? StartAsync()
        : StartAsync(
            storage: new Engine.Persistence.SqlGrainStorage(store.Database, store.Commit, TimeProvider.System),
            reminders: new Engine.Persistence.SqlReminderStore(store.Database, store.Commit),
            history: new Engine.Persistence.HistoryStore(store.Commit));

    /// <summary>Starts a host; pass another host's storage, reminders and clock to simulate a restart.</summary>
    public static async Task<RoutingHost> StartAsync(
        bool trackQuiescence = true,
        IGrainStorage? storage = null,
        IReminderStore? reminders = null,
        ManualTimeProvider? clock = null,
        TimeSpan? idleTimeout = null,
        IEngineHistory? history = null)
    {
        var host = new RoutingHost(trackQuiescence, storage, reminders, clock, idleTimeout, history);
        await host.Runtime.StartAsync();
        return host;
    }

    public GrainRef<TenantGrain> TenantGrain => Runtime.Get<TenantGrain>(Tenant, Engine.Grains.Routing.TenantGrain.SingletonKey);
    public GrainRef<AgentGrain> Agent(string id) => Runtime.Get<AgentGrain>(Tenant, id);
    public GrainRef<SkillGroupGrain> Group(string id) => Runtime.Get<SkillGroupGrain>(Tenant, id);
    public GrainRef<ConversationGrain> Conversation(string id) => Runtime.Get<ConversationGrain>(Tenant, id);

    public Task IdleAsync() => Runtime.WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await IdleAsync();
    }

    public async Task SetModeSettingsAsync(ServiceMode mode, RoutingSettings settings)
    {
        await TenantGrain.Call((mode, settings), static (t, s) => t.SetModeSettings(s.mode, s.settings));
        await IdleAsync();
    }

    public async Task GroupAsync(string groupId, ServiceMode mode = ServiceMode.Online, int cap = 1, params string[] members)
    {
        await TenantGrain.Call((groupId, mode, cap), static (t, g) => t.CreateSkillGroup(g.groupId, g.mode, g.cap, []));
        foreach (var member in members) await Group(groupId).Call(member, static (g, a) => g.AddMember(a));
        await IdleAsync();
    }

    public async Task OnlineAsync(params string[] agents)
    {
        foreach (var agent in agents)
        {
            await Agent(agent).Call(static a => a.GoOnline());
            // Distinct idle times keep longest-idle orders deterministic.
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await IdleAsync();
    }

    public async Task<(ConversationSnapshot Conversation, int Position)> ArriveAsync(string conversationId, string groupId, string? visitorId = null, ServiceMode mode = ServiceMode.Online)
    {
        var result = await Conversation(conversationId).Call((visitorId ?? "v-" + conversationId, mode, groupId), static (c, r) => c.Start(r.Item1, r.mode, r.groupId));
        await IdleAsync();
        return result;
    }

    public async Task<ConversationSnapshot> ConversationAsync(string id)
        => (await Conversation(id).Call(static c => c.GetSnapshot()))!;

    public Task<AgentSnapshot> AgentAsync(string id) => Agent(id).Call(static a => a.GetSnapshot()).AsTask();

    public Task<SkillGroupSnapshot> GroupSnapshotAsync(string id) => Group(id).Call(static g => g.GetSnapshot()).AsTask();

    public async Task AnswerAsync(string conversationId, string agentId)
    {
        await Conversation(conversationId).Call(agentId, static (c, a) => c.Answer(a));
        await IdleAsync();
    }

    public async Task EndAsync(string conversationId, string agentId)
    {
        await Conversation(conversationId).Call(agentId, static (c, a) => c.End(a));
        await IdleAsync();
    }

    public async Task CompleteAsync(string conversationId, string agentId)
    {
        await Conversation(conversationId).Call(agentId, static (c, a) => c.Complete(a));
        await IdleAsync();
    }

    /// <summary>The agent the conversation is offered to or held by.</summary>
    public async Task<string?> AgentOfAsync(string conversationId) => (await ConversationAsync(conversationId)).AgentId;

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await _services.DisposeAsync();
    }
}

public sealed class RecordingEvents : IEngineEvents
{
    public ConcurrentQueue<(string AgentId, AgentStatus From, AgentStatus To, string Reason)> StatusChanges { get; } = new();
    public ConcurrentQueue<(string AgentId, string ConversationId)> Rings { get; } = new();
    public ConcurrentQueue<(string AgentId, string ConversationId)> Withdrawn { get; } = new();
    public ConcurrentQueue<(string ConversationId, int Position)> Positions { get; } = new();
    public ConcurrentQueue<ConversationSnapshot> Conversations { get; } = new();

    public void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
        => StatusChanges.Enqueue((agentId, from, to, reason));

    public void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline)
        => Rings.Enqueue((agentId, conversationId));

    public void OfferWithdrawn(string tenant, string agentId, string conversationId) => Withdrawn.Enqueue((agentId, conversationId));

    public void QueuePositionChanged(string tenant, string conversationId, string groupId, int position)
        => Positions.Enqueue((conversationId, position));

    public void ConversationChanged(string tenant, ConversationSnapshot conversation) => Conversations.Enqueue(conversation);
}
