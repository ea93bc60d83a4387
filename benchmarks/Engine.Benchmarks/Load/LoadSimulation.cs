using System.Diagnostics;
using System.Globalization;
using Engine.Agents;
using Engine.Benchmarks.Harness;
using Engine.Conversations;
using Engine.Grains;
using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Engine.Routing;
using Engine.StateMachines;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Benchmarks.Load;

/// <summary>
/// A contact center in process: agents online in overlapping groups who answer every offer at once,
/// end it after the handle time and complete it; conversations arriving unpaced (a fixed number in
/// flight) or as a Poisson process. Measures fully routed conversations per second and the time from
/// arrival to the offer ringing. With a flow, each conversation first runs the online sample flow (the greeting, the
/// menu, the customer's answer "1") whose Transfer hands it to its group, and the run hears of its agent and its end.
/// </summary>
internal sealed class LoadSimulation : IEngineEvents, IAsyncDisposable
{
    // Unique per run: a shared PostgreSQL database may hold an earlier run's grains.
    private static readonly string Tenant = "load-" + Guid.NewGuid().ToString("N")[..8];
    private static readonly string QueueTenant = Tenant + "-queued";
    private const int ChunkBits = 16;

    private readonly LoadSettings _settings;
    private readonly SampleFlows _flows = new();
    private readonly Storage.HarnessStore _store;
    private BenchSilo _silo = null!;
    private readonly LatencyHistogram _offerLatency = new();
    private readonly long[]?[] _startedAt = new long[]?[1 << 14];
    private readonly Lock _chunkGate = new();
    private long _next;
    private long _completed;
    private long _failed;
    private long _inFlight;
    private volatile bool _arriving;
    private volatile bool _measuring;

    private LoadSimulation(LoadSettings settings, Storage.HarnessStore store)
    {
        _settings = settings;
        _store = store;
    }

    private IGrainFactory Grains => _silo.Grains;

    private Task<BenchSilo> StartSiloAsync(CancellationToken cancellationToken) => BenchSilo.StartAsync(services =>
    {
        services.AddSingleton<IEngineEvents>(this);
        services.AddSingleton<IFlowVersions>(_flows);
        services.AddSingleton<IAgentDirectory>(StaffNumbers.Instance);
        if (_store.Database is null) return;
        var storage = new Engine.Persistence.SqlGrainStorage(_store.Database, _store.Commit!, TimeProvider.System);
        services.AddSingleton<IStateStore>(storage);
        services.AddSingleton<ILiveConversations>(storage);
        services.AddSingleton<IEngineHistory>(new Engine.Persistence.HistoryStore(_store.Commit!));
    }, cancellationToken: cancellationToken);

    public static async Task<LoadResult> RunAsync(LoadSettings settings, Storage.HarnessStore store, CancellationToken cancellationToken)
    {
        await using var simulation = new LoadSimulation(settings, store);
        return await simulation.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        _silo = await StartSiloAsync(cancellationToken).ConfigureAwait(false);
        var before = SettledHeap();
        await SetUpCenterAsync().ConfigureAwait(false);
        var bytesPerIdleAgent = (SettledHeap() - before) / _settings.Agents;

        _arriving = true;
        var pump = _settings.Rate > 0 ? PumpPoissonAsync(cancellationToken) : StartClosedLoop();
        await HarnessClock.WaitAsync(_settings.Warmup, cancellationToken).ConfigureAwait(false);

        _offerLatency.Reset();
        Interlocked.Exchange(ref _completed, 0);
        _measuring = true;
        using var sampler = _settings.AllocationProfile ? new AllocationSampler() : null;
        sampler?.Start();
        var pausedBefore = GC.GetTotalPauseDuration();
        var meter = PhaseMeter.Start();
        await HarnessClock.WaitAsync(_settings.Seconds, cancellationToken).ConfigureAwait(false);
        var completed = Interlocked.Read(ref _completed);
        var stats = meter.Stop(completed);
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var lastGc = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        var lastFullGc = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        sampler?.Stop();
        _measuring = false;
        var offered = _offerLatency.Count;

        _arriving = false;
        await pump.ConfigureAwait(false);
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        var activations = await _silo.ActivationCountAsync().ConfigureAwait(false);
        var bytesPerQueued = await MeasureQueuedAsync().ConfigureAwait(false);

        using var process = Process.GetCurrentProcess();
        return new LoadResult(
            _settings.Store,
            _settings.Flow,
            Math.Round(stats.PerSecond),
            Math.Round(stats.PerCpuSecond),
            _offerLatency.Percentile(0.50),
            _offerLatency.Percentile(0.99),
            _offerLatency.Percentile(1.0),
            bytesPerIdleAgent,
            bytesPerQueued,
            completed,
            Interlocked.Read(ref _failed),
            Math.Round(stats.Elapsed.TotalSeconds, 3),
            Math.Round(offered / stats.Elapsed.TotalSeconds),
            _settings.Agents,
            _settings.Groups,
            _settings.Cap,
            _settings.Rate > 0 ? $"poisson {_settings.Rate.ToString(CultureInfo.InvariantCulture)}/s" : $"unpaced, {_settings.Concurrency} in flight",
            _settings.Handle.TotalMilliseconds,
            Math.Round(stats.CpuUtilization, 3),
            stats.Gen0,
            stats.Gen1,
            stats.Gen2,
            Math.Round(stats.AllocatedBytesPerOperation),
            Math.Round(paused.TotalMilliseconds),
            new GcSample(lastGc.Generation, Math.Round(lastGc.PauseDurations[0].TotalMilliseconds, 1), lastGc.PromotedBytes, lastGc.HeapSizeBytes, lastGc.PauseTimePercentage),
            new GcSample(lastFullGc.Generation, Math.Round(lastFullGc.PauseDurations[0].TotalMilliseconds, 1), lastFullGc.PromotedBytes, lastFullGc.HeapSizeBytes, lastFullGc.PauseTimePercentage),
            process.WorkingSet64,
            activations,
            sampler?.Top(25));
    }

    /// <summary>Groups, each agent in two of them, everyone online.</summary>
    private async Task SetUpCenterAsync()
    {
        var tenant = Grains.Tenant(Tenant);
        for (var g = 0; g < _settings.Groups; g++)
            await tenant.CreateSkillGroup(Group(g), ServiceMode.Online, _settings.Cap, []).ConfigureAwait(false);
        // One flow per group, the online sample whose "1" (产品咨询) leads to it and "2" (商务合作) to the next group.
        if (_settings.Flow) _flows.Load(Tenant, _settings.Groups, Group);
        await ForAllAgents(async agent =>
        {
            var i = int.Parse(agent.AsSpan(1), CultureInfo.InvariantCulture);
            var first = i % _settings.Groups;
            var second = (i * 7 + 3) % _settings.Groups;
            await Grains.SkillGroup(Tenant, Group(first)).AddMember(agent).ConfigureAwait(false);
            if (second != first) await Grains.SkillGroup(Tenant, Group(second)).AddMember(agent).ConfigureAwait(false);
            await Grains.Agent(Tenant, agent).GoOnline().ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async Task ForAllAgents(Func<string, Task> body)
    {
        var ids = Enumerable.Range(0, _settings.Agents).Select(i => "a" + i.ToString(CultureInfo.InvariantCulture));
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (id, _) => await body(id).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private Task StartClosedLoop()
    {
        for (var i = 0; i < _settings.Concurrency; i++) Arrive();
        return Task.CompletedTask;
    }

    /// <summary>Poisson arrivals at the set rate, released on a 1 ms tick.</summary>
    private async Task PumpPoissonAsync(CancellationToken cancellationToken)
    {
        var random = new Random(17);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        var started = Stopwatch.GetTimestamp();
        var nextArrival = 0.0;
        while (_arriving && await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = Stopwatch.GetElapsedTime(started).TotalSeconds;
            while (nextArrival <= now)
            {
                Arrive();
                nextArrival += -Math.Log(1 - random.NextDouble()) / _settings.Rate;
            }
        }
    }

    private void Arrive()
    {
        var n = Interlocked.Increment(ref _next);
        Interlocked.Increment(ref _inFlight);
        StartedAt(n) = Stopwatch.GetTimestamp();
        var group = Group((int)(Mix(n) % (ulong)_settings.Groups));
        var visitor = "v" + (Mix(n * 31) % (ulong)_settings.Visitors).ToString(CultureInfo.InvariantCulture);
        _ = StartAsync(n.ToString(CultureInfo.InvariantCulture), visitor, group);
    }

    private async Task StartAsync(string id, string visitor, string group)
    {
        try
        {
            if (_settings.Flow)
            {
                var run = Grains.FlowInstance(Tenant, id);
                await run.Begin(new FlowStart(group, 1, ServiceMode.Online, visitor, null)).ConfigureAwait(false);
                await run.Customer(new CustomerInput("1", null)).ConfigureAwait(false);
            }
            else
            {
                await Grains.Conversation(Tenant, id).Start(visitor, ServiceMode.Online, group).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is DomainException or TimeoutException)
        {
            Failed();
        }
    }

    /// <summary>The agent answers at once, keeps the conversation for the handle time, ends and completes it.</summary>
    private async Task ServeAsync(string agentId, string conversationId)
    {
        try
        {
            var conversation = Grains.Conversation(Tenant, conversationId);
            await conversation.Answer(agentId).ConfigureAwait(false);
            if (_settings.Handle > TimeSpan.Zero) await HarnessClock.WaitAsync(_settings.Handle, CancellationToken.None).ConfigureAwait(false);
            await conversation.End(agentId).ConfigureAwait(false);
            await conversation.Complete(agentId).ConfigureAwait(false);
            Interlocked.Increment(ref _completed);
            Interlocked.Decrement(ref _inFlight);
            if (_arriving && _settings.Rate <= 0) Arrive();
        }
        catch (Exception e) when (e is DomainException or TimeoutException)
        {
            Failed();
        }
    }

    private void Failed()
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Decrement(ref _inFlight);
        if (_arriving && _settings.Rate <= 0) Arrive();
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (Interlocked.Read(ref _inFlight) > 0 && Stopwatch.GetTimestamp() < deadline)
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Conversations queued in groups where nobody is online: heap growth per conversation.</summary>
    private async Task<long> MeasureQueuedAsync()
    {
        if (_settings.QueuedSample == 0) return 0;
        var tenant = Grains.Tenant(QueueTenant);
        var groups = Math.Min(_settings.Groups, 100);
        for (var g = 0; g < groups; g++)
            await tenant.CreateSkillGroup(Group(g), ServiceMode.Online, 1, []).ConfigureAwait(false);
        var before = SettledHeap();
        await Parallel.ForEachAsync(Enumerable.Range(0, _settings.QueuedSample), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var id = "q" + i.ToString(CultureInfo.InvariantCulture);
            await Grains.Conversation(QueueTenant, id)
                .Start("qv" + i.ToString(CultureInfo.InvariantCulture), ServiceMode.Online, Group(i % groups))
                .ConfigureAwait(false);
        }).ConfigureAwait(false);
        return (SettledHeap() - before) / _settings.QueuedSample;
    }

    public void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline)
    {
        if (tenant != Tenant) return;
        if (_measuring)
        {
            var n = long.Parse(conversationId, CultureInfo.InvariantCulture);
            _offerLatency.Record(Stopwatch.GetElapsedTime(StartedAt(n)));
        }
        _ = ServeAsync(agentId, conversationId);
    }

    public void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at) { }

    public void OfferWithdrawn(string tenant, string agentId, string conversationId) { }

    public void QueuePositionChanged(string tenant, string conversationId, string groupId, int position) { }

    public void ConversationChanged(string tenant, ConversationSnapshot conversation) { }

    private ref long StartedAt(long n)
    {
        var chunk = n >> ChunkBits;
        var slots = Volatile.Read(ref _startedAt[chunk]);
        if (slots is null)
        {
            lock (_chunkGate) slots = _startedAt[chunk] ??= new long[1 << ChunkBits];
        }
        return ref slots[n & ((1 << ChunkBits) - 1)];
    }

    private static string Group(int g) => "g" + g.ToString(CultureInfo.InvariantCulture);

    private static ulong Mix(long n)
    {
        var x = (ulong)n * 0x9E3779B97F4A7C15UL;
        return x ^ (x >> 29);
    }

    private static long SettledHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The online sample of <c>docs/flows</c>, one version per group (keyed by the group's id), held in memory as the server's store would.</summary>
    private sealed class SampleFlows : IFlowVersions
    {
        private readonly Dictionary<string, Engine.Flows.FlowDefinition> _byGroup = new(StringComparer.Ordinal);

        public void Load(string tenant, int groups, Func<int, string> group)
        {
            for (var g = 0; g < groups; g++)
            {
                var sample = Engine.Driver.FlowChannels.Sample("online-sample.json", new Dictionary<string, string>
                {
                    ["group:产品咨询"] = group(g), ["group:商务合作"] = group((g + 1) % groups),
                });
                _byGroup[group(g)] = Engine.Flows.FlowJson.ReadDocument(sample.ToJsonString()).Definition;
            }
        }

        public ValueTask<Engine.Flows.FlowDefinition?> GetAsync(string tenant, string flowId, int version, CancellationToken cancellationToken)
            => new(_byGroup.GetValueOrDefault(flowId));
    }

    /// <summary>Every agent's staff number is their id (the server reads the users table).</summary>
    private sealed class StaffNumbers : IAgentDirectory
    {
        public static readonly StaffNumbers Instance = new();

        public ValueTask<AgentCard?> FindAsync(string tenant, string agentId, CancellationToken cancellationToken) => new(new AgentCard(agentId, null, agentId));
    }
}
