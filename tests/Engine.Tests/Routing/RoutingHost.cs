using System.Collections.Concurrent;
using Engine.Agents;
using Engine.Grains.Hosting;
using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Engine.Routing;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Engine.Tests.Routing;

/// <summary>
/// The engine's grains on an Orleans test cluster (in process, one silo unless asked for more) with a fake clock
/// for the grains' timers, and the events they published. Calls come through the cluster's client, so every
/// argument and result crosses the wire.
/// </summary>
public sealed class RoutingHost : IAsyncDisposable
{
    public const string Tenant = "t1";

    private readonly InProcessTestCluster _cluster;
    private readonly RoutingHost? _owner;

    private RoutingHost(InProcessTestCluster cluster, FakeTimeProvider clock, IStateStore store, ILiveConversations live, IEngineHistory history)
    {
        _cluster = cluster;
        Clock = clock;
        Store = store;
        Live = live;
        History = history;
    }

    private RoutingHost(RoutingHost owner, string tenantId)
        : this(owner._cluster, owner.Clock, owner.Store, owner.Live, owner.History)
    {
        _owner = owner;
        TenantId = tenantId;
        Events = owner.Events;
        Flows = owner.Flows;
        Agents = owner.Agents;
        Pushes = owner.Pushes;
        Failures = owner.Failures;
        Counters = owner.Counters;
        Quiescence = owner.Quiescence;
    }

    /// <summary>The tenant whose grains this host's shortcuts reach (<see cref="Tenant"/> unless made by <see cref="ForTenant"/>).</summary>
    public string TenantId { get; } = Tenant;

    public FakeTimeProvider Clock { get; }

    public RecordingEvents Events { get; } = new();

    /// <summary>The flow versions the grains read; a restarted host is given its predecessor's.</summary>
    public FlowVersions Flows { get; private init; } = new();

    /// <summary>The agents' cards a flow run reads when an agent answers (nickname, staff number).</summary>
    public AgentCards Agents { get; private init; } = new();

    /// <summary>What flow runs pushed to their channels (the server's webhook outbox).</summary>
    public RecordingPushes Pushes { get; private init; } = new();

    /// <summary>What the silos logged as failed: one-way calls and timers that threw (nobody awaits them).</summary>
    public RuntimeFailures Failures { get; } = new();

    public EngineCounters Counters { get; } = new();

    public Quiescence Quiescence { get; } = new() { Enabled = true };

    public IStateStore Store { get; }

    public ILiveConversations Live { get; }

    public IEngineHistory History { get; }

    public IGrainFactory Grains => _cluster.Client;

    public InProcessTestCluster Cluster => _cluster;

    /// <summary>Starts a host with grain state and history on <paramref name="store"/> (null: in memory).</summary>
    public static Task<RoutingHost> StartOnAsync(Persistence.TestStore? store, FakeTimeProvider? clock = null)
    {
        if (store is null) return StartAsync(clock: clock);
        var storage = new Engine.Persistence.SqlGrainStorage(store.Database, store.Commit, TimeProvider.System);
        return StartAsync(storage, storage, new Engine.Persistence.HistoryStore(store.Commit), clock);
    }

    /// <summary>Starts a host; pass another host's store, history and clock to simulate a restart.</summary>
    public static async Task<RoutingHost> StartAsync(
        IStateStore? store = null,
        ILiveConversations? live = null,
        IEngineHistory? history = null,
        FakeTimeProvider? clock = null,
        short silos = 1,
        IEngineEvents? events = null,
        bool realTime = false,
        FlowVersions? flows = null,
        Func<FakeTimeProvider, TimeProvider>? timers = null)
    {
        var memory = store is null ? new MemoryStateStore() : null;
        store ??= memory!;
        live ??= memory ?? throw new ArgumentNullException(nameof(live), "A store of your own needs its live conversations too.");
        history ??= NullEngineHistory.Instance;
        clock ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        RoutingHost? host = null;
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            var services = silo.Services;
            services.AddSingleton(realTime ? TimeProvider.System : timers?.Invoke(clock) ?? clock);
            services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            services.AddSingleton(store);
            services.AddSingleton(live);
            services.AddSingleton(history);
            services.AddSingleton(_ => events ?? host!.Events);
            services.AddSingleton<IFlowVersions>(_ => host!.Flows);
            services.AddSingleton<IAgentDirectory>(_ => host!.Agents);
            services.AddSingleton<IFlowReplies>(_ => host!.Pushes);
            services.AddSingleton(_ => host!.Counters);
            services.AddSingleton(_ => host!.Quiescence);
            services.AddSingleton<ILoggerProvider>(_ => host!.Failures);
            silo.AddEngineGrains();
            silo.AddOutgoingGrainCallFilter<EngineOutgoingFilter>();
        });
        // Tests also send one-way calls themselves (to stage a race): counted as sent on the client's side too.
        builder.ConfigureClient(client => client.AddOutgoingGrainCallFilter(context =>
        {
            if (Engine.Grains.Hosting.EngineOutgoingFilter.IsOneWay(context.Request)) host!.Quiescence.Sent();
            return context.Invoke();
        }));
        var cluster = builder.Build();
        host = new RoutingHost(cluster, clock, store, live, history) { Flows = flows ?? new FlowVersions() };
        await cluster.DeployAsync();
        return host;
    }

    /// <summary>
    /// The same cluster, clock and recorders seen through another tenant: many short runs share one cluster, each in a
    /// tenant of its own (a tenant's grains never call another's). Disposing it leaves the cluster running.
    /// </summary>
    public RoutingHost ForTenant(string tenantId) => new(_owner ?? this, tenantId);

    public ITenantGrain TenantGrain => Grains.Tenant(TenantId);
    public IAgentGrain Agent(string id) => Grains.Agent(TenantId, id);
    public ISkillGroupGrain Group(string id) => Grains.SkillGroup(TenantId, id);
    public IConversationGrain Conversation(string id) => Grains.Conversation(TenantId, id);

    /// <summary>Waits until no one-way call is in flight: what awaited calls and clock advances set going has happened.</summary>
    public Task IdleAsync() => Quiescence.WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Deactivates every activation that idle collection may take now (keep-alive spares the rest), as a long idle time would.</summary>
    public async Task CollectIdleAsync()
    {
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await IdleAsync();
    }

    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await IdleAsync();
    }

    public async Task SetModeSettingsAsync(ServiceMode mode, RoutingSettings settings)
    {
        await TenantGrain.SetModeSettings(mode, settings);
        await IdleAsync();
    }

    public async Task GroupAsync(string groupId, ServiceMode mode = ServiceMode.Online, int cap = 1, params string[] members)
    {
        await TenantGrain.CreateSkillGroup(groupId, mode, cap, []);
        foreach (var member in members) await Group(groupId).AddMember(member);
        await IdleAsync();
    }

    public async Task OnlineAsync(params string[] agents)
    {
        foreach (var agent in agents)
        {
            await Agent(agent).GoOnline();
            // Distinct idle times keep longest-idle orders deterministic.
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await IdleAsync();
    }

    public async Task<StartResult> ArriveAsync(string conversationId, string groupId, string? visitorId = null, ServiceMode mode = ServiceMode.Online)
    {
        var result = await Conversation(conversationId).Start(visitorId ?? "v-" + conversationId, mode, groupId);
        await IdleAsync();
        return result;
    }

    public async Task<ConversationSnapshot> ConversationAsync(string id)
        => (await Conversation(id).GetSnapshot())!;

    public Task<AgentSnapshot> AgentAsync(string id) => Agent(id).GetSnapshot().AsTask();

    public Task<SkillGroupSnapshot> GroupSnapshotAsync(string id) => Group(id).GetSnapshot().AsTask();

    public async Task AnswerAsync(string conversationId, string agentId)
    {
        await Conversation(conversationId).Answer(agentId);
        await IdleAsync();
    }

    public async Task EndAsync(string conversationId, string agentId)
    {
        await Conversation(conversationId).End(agentId);
        await IdleAsync();
    }

    public async Task CompleteAsync(string conversationId, string agentId)
    {
        await Conversation(conversationId).Complete(agentId);
        await IdleAsync();
    }

    /// <summary>The agent the conversation is offered to or held by.</summary>
    public async Task<string?> AgentOfAsync(string conversationId) => (await ConversationAsync(conversationId)).AgentId;

    public async ValueTask DisposeAsync()
    {
        if (_owner is not null) return;
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
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

/// <summary>Flow runs' pushes, in the order they came, as the webhook outbox would keep them.</summary>
public sealed class RecordingPushes : IFlowReplies
{
    public ConcurrentQueue<(string ChannelId, string VisitorId, FlowOutcome Outcome)> All { get; } = new();

    /// <summary>The texts pushed for a conversation, flow's and agent's, in order.</summary>
    public IReadOnlyList<string?> TextsOf(string conversationId)
        => [.. All.Where(p => p.Outcome.ConversationId == conversationId).SelectMany(p => p.Outcome.Replies).Select(r => r.Text)];

    public ValueTask PushAsync(string tenant, string channelId, string visitorId, FlowOutcome outcome, CancellationToken cancellationToken)
    {
        All.Enqueue((channelId, visitorId, outcome));
        return default;
    }
}

/// <summary>Agents' cards in memory, as the server's users table holds them; an agent not added is unknown.</summary>
public sealed class AgentCards : IAgentDirectory
{
    private readonly ConcurrentDictionary<(string Tenant, string AgentId), AgentCard> _cards = new();

    public void Add(string tenant, string agentId, string? nickname, string? staffNo) => _cards[(tenant, agentId)] = new AgentCard(agentId, nickname, staffNo);

    public ValueTask<AgentCard?> FindAsync(string tenant, string agentId, CancellationToken cancellationToken)
        => new(_cards.GetValueOrDefault((tenant, agentId)));
}

/// <summary>Saved flow versions in memory, as the server's store keeps them.</summary>
public sealed class FlowVersions : IFlowVersions
{
    private readonly ConcurrentDictionary<(string Tenant, string FlowId, int Version), Engine.Flows.FlowDefinition> _versions = new();

    public void Add(string tenant, string flowId, int version, Engine.Flows.FlowDefinition definition) => _versions[(tenant, flowId, version)] = definition;

    public ValueTask<Engine.Flows.FlowDefinition?> GetAsync(string tenant, string flowId, int version, CancellationToken cancellationToken)
        => new(_versions.GetValueOrDefault((tenant, flowId, version)));
}
