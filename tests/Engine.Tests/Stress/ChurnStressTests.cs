using System.Collections.Concurrent;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.StateMachines;
using Engine.Tests.Properties;
using Engine.Tests.Routing;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Stress;

/// <summary>
/// Everything at once on real threads: arrivals, answers, ends, completions, customers leaving, agents missing
/// offers, taking breaks and being forced offline, offer timeouts and overflows firing while agents act. A driver
/// moves a manual clock and, between bursts, stops everyone (<see cref="Gate"/>) to check the invariants of
/// <see cref="RoutingInvariants"/> on a still picture. Asserts invariants only, never timings.
/// </summary>
public sealed class ChurnStressTests
{
    private const string Tenant = "t1";
    private const int AgentCount = 20;
    private const int ChurnRounds = 60;
    private const int ArrivalsPerRound = 30;
    private const int CheckEvery = 5;
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);
    private static readonly string[] ChatGroups = ["chat0", "chat1", "chat2", "chat3"];
    private const string PhoneGroup = "phone0";

    [Fact]
    public async Task RT1_RT5_SG3_AS4_Churn_of_agents_customers_and_timeouts_loses_nothing_and_keeps_every_still_picture_consistent()
    {
        var random = new Random(20260106);
        var gate = new Gate();
        var sink = new ChurnEvents();
        await using var host = await RoutingHost.StartAsync(events: sink);
        var clock = host.Clock;
        var failures = host.Failures;
        var grains = host.Grains;
        var agentIds = Enumerable.Range(0, AgentCount).Select(i => "a" + i).ToArray();
        string[] groupIds = [.. ChatGroups, PhoneGroup];
        await SetUpAsync(grains, random, agentIds);

        var handlers = new Handlers(grains, gate, sink);
        sink.OnRing = handlers.Start;
        var violations = new List<string>();
        var started = new List<string>();
        var tasks = new List<Task>();
        var round = 0;
        while (round < ChurnRounds || !sink.AllDone(started.Count))
        {
            if (round > ChurnRounds + 600) await FailStuckAsync(host, gate, agentIds, groupIds, started, sink, violations);
            var churning = round < ChurnRounds;
            handlers.Churning = churning;
            handlers.Round = round;

            // A still picture: nobody inside a call, no message anywhere.
            await gate.PauseAsync().WaitAsync(HangGuard);
            await host.Quiescence.WhenIdle().WaitAsync(HangGuard);
            var live = started.Where(id => !sink.Completed.ContainsKey(id)).ToList();
            var picture = await RoutingInvariants.ObserveAsync(grains, host.IdleAsync, Tenant, agentIds, groupIds, round % CheckEvery == 0 ? live : []);
            if (round % CheckEvery == 0) violations.AddRange(RoutingInvariants.Violations(picture).Select(v => $"round {round}: {v}"));
            await MovePresenceAsync(grains, random, picture, churning);
            gate.Resume();

            // Then a burst, racing with the agents and with the timers the clock fires.
            if (churning)
            {
                for (var i = 0; i < ArrivalsPerRound; i++)
                {
                    var index = started.Count;
                    var id = "c" + index;
                    started.Add(id);
                    var phone = index % 5 == 0;
                    var group = phone ? PhoneGroup : ChatGroups[random.Next(ChatGroups.Length)];
                    tasks.Add(Task.Run(() => gate.RunAsync(() => grains.Conversation(Tenant, id)
                        .Start("v" + (index % 300), phone ? ServiceMode.Phone : ServiceMode.Online, group).AsTask())));
                }
                foreach (var id in live.Where(_ => random.Next(40) == 0))
                    tasks.Add(Task.Run(() => Refusable(() => gate.RunAsync(() => grains.Conversation(Tenant, id).Abandon().AsTask()))));
            }
            tasks.AddRange(handlers.Late(round));
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(tasks).WaitAsync(HangGuard);
            tasks.Clear();
            await sink.WhenQuiet().WaitAsync(HangGuard);
            round++;
        }

        await gate.PauseAsync().WaitAsync(HangGuard);
        await host.Quiescence.WhenIdle().WaitAsync(HangGuard);
        var end = await RoutingInvariants.ObserveAsync(grains, host.IdleAsync, Tenant, agentIds, groupIds, started);
        violations.AddRange(RoutingInvariants.Violations(end).Select(v => "at the end: " + v));
        Assert.Empty(violations);
        Assert.Empty(failures.Entries);
        Assert.Empty(handlers.Errors);
        Assert.Equal(started.Count, sink.Completed.Count);
        Assert.All(started, id => Assert.Equal(1, sink.Completed.GetValueOrDefault(id)));
        Assert.All(end.Agents.Values, a => Assert.Empty(a.Work));
        Assert.All(end.Groups.Values, g => Assert.Empty(g.Queue));
    }

    private static async Task FailStuckAsync(RoutingHost host, Gate gate, string[] agentIds, string[] groupIds, List<string> started, ChurnEvents sink, List<string> violations)
    {
        await gate.PauseAsync().WaitAsync(HangGuard);
        await host.Quiescence.WhenIdle().WaitAsync(HangGuard);
        var stuck = started.Where(id => !sink.Completed.ContainsKey(id)).ToList();
        var picture = await RoutingInvariants.ObserveAsync(host.Grains, host.IdleAsync, Tenant, agentIds, groupIds, stuck);
        Assert.Fail($"{stuck.Count} conversation(s) not completed 600 rounds after the churn ended:{Environment.NewLine}{picture.Describe()}"
            + string.Join(Environment.NewLine, violations.Concat(RoutingInvariants.Violations(picture))));
    }

    private static async Task SetUpAsync(IGrainFactory grains, Random random, string[] agentIds)
    {
        var tenant = grains.Tenant(Tenant);
        var online = new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 10, LastAgentPriority = true, Policy = AllocationPolicyKind.RoundRobin };
        var phone = new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 10, AfterCallSeconds = 15 };
        await tenant.SetModeSettings(ServiceMode.Online, online);
        await tenant.SetModeSettings(ServiceMode.Phone, phone);
        for (var g = 0; g < ChatGroups.Length; g++)
        {
            // RT-4: chat1 overflows to chat0, chat3 to chat2.
            IReadOnlyList<string> overflow = g % 2 == 1 ? [ChatGroups[g - 1]] : [];
            await tenant.CreateSkillGroup(ChatGroups[g], ServiceMode.Online, random.Next(1, 4), overflow);
        }
        await tenant.CreateSkillGroup(PhoneGroup, ServiceMode.Phone, 1, []);
        for (var i = 0; i < agentIds.Length; i++)
        {
            var groups = new HashSet<string> { ChatGroups[i % ChatGroups.Length], ChatGroups[random.Next(ChatGroups.Length)] };
            if (i % 3 == 0) groups.Add(PhoneGroup);
            foreach (var group in groups) await grains.SkillGroup(Tenant, group).AddMember(agentIds[i]);
            await grains.Agent(Tenant, agentIds[i]).GoOnline();
        }
    }

    /// <summary>While churning, a few agents take a break or are taken offline (some forced); some come back. Afterwards all come back.</summary>
    private static async Task MovePresenceAsync(IGrainFactory grains, Random random, RoutingInvariants.Observation picture, bool churning)
    {
        foreach (var agent in picture.Agents.Values)
        {
            var grain = grains.Agent(Tenant, agent.AgentId);
            var roll = random.Next(100);
            switch (agent.Presence)
            {
                case Presence.Online when churning && roll < 4:
                    await Refusable(() => grain.StartBreak().AsTask());
                    break;
                case Presence.Online when churning && roll < 7:
                    await Refusable(() => grain.GoOffline(roll % 2 == 0).AsTask());
                    break;
                case Presence.Break when !churning || roll < 30:
                    await grain.EndBreak();
                    break;
                case Presence.Offline when !churning || roll < 30:
                    await grain.GoOnline();
                    break;
            }
        }
    }

    /// <summary>Refusals are part of the game (the state moved on meanwhile); anything else is not.</summary>
    private static async Task Refusable(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (DomainException)
        {
        }
    }

    /// <summary>
    /// One task per ring: the agent answers, ends and completes. While churning some rings are let ring out (AS-4)
    /// and some are answered a few rounds late, when the offer may be timing out at that very moment.
    /// </summary>
    private sealed class Handlers(IGrainFactory grains, Gate gate, ChurnEvents sink)
    {
        private readonly ConcurrentQueue<(int Round, string Agent, string Conversation)> _late = new();

        public volatile bool Churning = true;

        public volatile int Round;

        public ConcurrentQueue<string> Errors { get; } = new();

        public void Start(string agentId, string conversationId)
        {
            var roll = Random.Shared.Next(16);
            var churning = Churning;
            if (churning && roll < 4) _late.Enqueue((Round + 1 + roll * 4, agentId, conversationId));
            _ = Task.Run(async () =>
            {
                try
                {
                    if (!churning || roll >= 6) await WorkAsync(agentId, conversationId);
                }
                finally
                {
                    sink.HandlerDone();
                }
            });
        }

        /// <summary>The late answers due by <paramref name="round"/>, to run in that round's burst.</summary>
        public IEnumerable<Task> Late(int round)
        {
            var due = new List<(int, string, string)>();
            var later = new List<(int, string, string)>();
            while (_late.TryDequeue(out var late)) (late.Round <= round ? due : later).Add(late);
            foreach (var late in later) _late.Enqueue(late);
            return due.Select(late => Task.Run(() => WorkAsync(late.Item2, late.Item3)));
        }

        private async Task WorkAsync(string agentId, string conversationId)
        {
            var conversation = grains.Conversation(Tenant, conversationId);
            if (!await TryAsync(agentId, conversationId, () => conversation.Answer(agentId).AsTask())) return;
            // The customer may have left meanwhile, which ends the conversation: the agent still completes it (AS-5).
            await TryAsync(agentId, conversationId, () => conversation.End(agentId).AsTask());
            await TryAsync(agentId, conversationId, () => conversation.Complete(agentId).AsTask());
        }

        /// <summary>False when refused: the offer or the conversation moved on meanwhile (timeout, customer gone, agent taken offline).</summary>
        private async Task<bool> TryAsync(string agentId, string conversationId, Func<Task> call)
        {
            try
            {
                await gate.RunAsync(call);
                return true;
            }
            catch (DomainException)
            {
                return false;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Errors.Enqueue($"{agentId} on {conversationId}: {e}");
                return false;
            }
        }
    }

    private sealed class ChurnEvents : IEngineEvents
    {
        private readonly Lock _lock = new();
        private int _handlers;
        private TaskCompletionSource? _quiet;

        public Action<string, string> OnRing { get; set; } = (_, _) => { };

        public ConcurrentDictionary<string, int> Completed { get; } = new(StringComparer.Ordinal);

        public bool AllDone(int started) => Completed.Count == started;

        /// <summary>Completes when no ring handler is running.</summary>
        public Task WhenQuiet()
        {
            lock (_lock)
            {
                if (_handlers == 0) return Task.CompletedTask;
                return (_quiet ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }

        public void HandlerDone()
        {
            lock (_lock)
            {
                if (--_handlers > 0 || _quiet is null) return;
                _quiet.TrySetResult();
                _quiet = null;
            }
        }

        public void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline)
        {
            // Counted here, before the handler exists, so that quiet never means "about to start".
            lock (_lock) _handlers++;
            OnRing(agentId, conversationId);
        }

        public void ConversationChanged(string tenant, ConversationSnapshot conversation)
        {
            if (conversation.Status == ConversationStatus.Completed) Completed.AddOrUpdate(conversation.Id, 1, static (_, n) => n + 1);
        }

        public void OfferWithdrawn(string tenant, string agentId, string conversationId)
        {
        }

        public void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
        {
        }

        public void QueuePositionChanged(string tenant, string conversationId, string groupId, int position)
        {
        }
    }
}
