using Engine.Tests.Routing;
using Engine.Tests.Support;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.StateMachines;
using Engine.Tests.Properties;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Stress;

/// <summary>
/// The routing grains on real threads and the system clock: many creators and 50 agents acting at once.
/// Asserts invariants only (counts, holders, caps), never timings.
/// </summary>
public sealed class ParallelStressTests
{
    private const string Tenant = "t1";
    private const int GroupCount = 10;
    private const int AgentCount = 50;
    private const int ConversationCount = 10_000;
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task SG3_RT5_Ten_thousand_conversations_from_many_threads_are_each_completed_once_never_shared_and_never_over_cap()
    {
        var random = new Random(20260105);
        var caps = Enumerable.Range(0, GroupCount).Select(_ => random.Next(1, 4)).ToArray();
        var memberships = Enumerable.Range(0, AgentCount).Select(i => MembershipsOf(i, random)).ToArray();
        var agentCaps = memberships.Select(groups => groups.Max(g => caps[g])).ToArray();

        var sink = new StressEvents(AgentCount, ConversationCount);
        await using var host = await RoutingHost.StartAsync(events: sink, realTime: true);
        var failures = host.Failures;
        var grains = host.Grains;
        try
        {
            var tenant = grains.Tenant(Tenant);
            for (var g = 0; g < GroupCount; g++)
                await tenant.CreateSkillGroup(Group(g), ServiceMode.Online, caps[g], []);
            for (var a = 0; a < AgentCount; a++)
            {
                foreach (var g in memberships[a])
                    await grains.SkillGroup(Tenant, Group(g)).AddMember(Agent(a));
            }
            await Task.WhenAll(Enumerable.Range(0, AgentCount).Select(a => grains.Agent(Tenant, Agent(a)).GoOnline().AsTask()));

            var violations = new ConcurrentQueue<string>();
            var agents = Enumerable.Range(0, AgentCount)
                .Select(a => Task.Run(() => AgentLoopAsync(grains, sink, a, agentCaps[a], violations)))
                .ToArray();
            var monitor = Task.Run(() => MonitorAsync(grains, sink, agentCaps, violations));

            await Parallel.ForEachAsync(
                Enumerable.Range(0, ConversationCount),
                new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (i, _) =>
                {
                    var group = Group((int)((uint)(i * 2654435761u) % GroupCount));
                    await grains.Conversation(Tenant, Conversation(i))
                        .Start("v" + (i % 500), ServiceMode.Online, group);
                }).WaitAsync(HangGuard);

            await sink.AllCompleted.WaitAsync(HangGuard);
            sink.StopAgents();
            await Task.WhenAll(agents).WaitAsync(HangGuard);
            await monitor.WaitAsync(HangGuard);
            await host.Quiescence.WhenIdle().WaitAsync(HangGuard);

            Assert.Empty(violations);
            Assert.Empty(failures.Entries);
            Assert.Equal(ConversationCount, sink.CompletedCounts.Count);
            Assert.All(Enumerable.Range(0, ConversationCount), i => Assert.Equal(1, sink.CompletedCounts.GetValueOrDefault(Conversation(i))));
            // No timeouts, no withdrawals: each conversation rang exactly once, at one agent (RT-5).
            Assert.Empty(sink.Withdrawn);
            Assert.All(Enumerable.Range(0, ConversationCount), i => Assert.Equal(1, sink.RingCounts.GetValueOrDefault(Conversation(i))));
            for (var a = 0; a < AgentCount; a++)
            {
                var snapshot = await grains.Agent(Tenant, Agent(a)).GetSnapshot();
                Assert.Empty(snapshot.Work);
                Assert.Equal(AgentStatus.Idle, snapshot.Status);
            }
            for (var g = 0; g < GroupCount; g++)
                Assert.Empty((await grains.SkillGroup(Tenant, Group(g)).GetSnapshot()).Queue);
        }
        finally
        {
            sink.StopAgents();
        }
    }

    /// <summary>Agent i is in group i mod 10 (so every group has members) and in one or two others.</summary>
    private static int[] MembershipsOf(int agent, Random random)
    {
        var groups = new HashSet<int> { agent % GroupCount };
        var size = random.Next(2, 4);
        while (groups.Count < size) groups.Add(random.Next(GroupCount));
        return [.. groups];
    }

    /// <summary>
    /// One agent: every offer that rings is handled by its own task (answer, end, complete), so an agent works on
    /// as many at once as the engine reserved for them. Now and then the agent takes a short break (AS-2).
    /// </summary>
    private static async Task AgentLoopAsync(IGrainFactory grains, StressEvents sink, int agent, int cap, ConcurrentQueue<string> violations)
    {
        var id = Agent(agent);
        var inHand = 0;
        var onBreak = 0;
        var handled = 0;
        var handlers = new List<Task>();
        await foreach (var conversationId in sink.Rings(agent).ReadAllAsync())
        {
            var handler = Task.Run(async () =>
            {
                // Counted from the ring (after the reservation) until Complete is asked for (before the release, which
                // may ring the next offer before Complete returns): never above the cap.
                var held = Interlocked.Increment(ref inHand);
                if (held > cap) violations.Enqueue($"SG-3: {id} had {held} conversations in hand, cap {cap}");
                var conversation = grains.Conversation(Tenant, conversationId);
                await conversation.Answer(id);
                await Task.Yield();
                await conversation.End(id);
                Interlocked.Decrement(ref inHand);
                await conversation.Complete(id);
                if (Interlocked.Increment(ref handled) % 17 == 0 && Interlocked.CompareExchange(ref onBreak, 1, 0) == 0)
                {
                    var grain = grains.Agent(Tenant, id);
                    await grain.StartBreak();
                    await Task.Yield();
                    await grain.EndBreak();
                    Volatile.Write(ref onBreak, 0);
                }
            });
            handlers.Add(handler);
            // A step that throws leaves its conversation unfinished: fail the wait for completions at once.
            _ = handler.ContinueWith(static (t, s) => ((StressEvents)s!).Fail(t.Exception!), sink, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        await Task.WhenAll(handlers);
    }

    /// <summary>
    /// Every hundred completions, all agents' snapshots: each within its cap (SG-3), and no conversation in two
    /// agents' hands (RT-5). With no timeouts and no withdrawals a held conversation stays with its agent until
    /// completed, so two holders within one sweep mean two holders at once.
    /// </summary>
    private static async Task MonitorAsync(IGrainFactory grains, StressEvents sink, int[] agentCaps, ConcurrentQueue<string> violations)
    {
        while (await sink.SweepDue.Reader.WaitToReadAsync())
        {
            while (sink.SweepDue.Reader.TryRead(out _))
            {
            }
            var snapshots = await Task.WhenAll(Enumerable.Range(0, AgentCount)
                .Select(a => grains.Agent(Tenant, Agent(a)).GetSnapshot().AsTask()));
            for (var a = 0; a < AgentCount; a++)
            {
                if (snapshots[a].Work.Count > agentCaps[a])
                    violations.Enqueue($"SG-3: {Agent(a)} held {snapshots[a].Work.Count}, cap {agentCaps[a]}");
            }
            foreach (var shared in snapshots.SelectMany(s => s.Work.Select(w => (w.ConversationId, s.AgentId))).GroupBy(h => h.ConversationId).Where(g => g.Count() > 1))
                violations.Enqueue($"RT-5: {shared.Key} held by {string.Join(" and ", shared.Select(h => h.AgentId))}");
        }
    }

    private static string Group(int index) => "g" + index;

    private static string Agent(int index) => "a" + index;

    private static string Conversation(int index) => "c" + index;

    /// <summary>Routes each ring to its agent's channel and counts rings and completions per conversation.</summary>
    private sealed class StressEvents(int agentCount, int conversationCount) : IEngineEvents
    {
        private readonly Channel<string>[] _rings = Enumerable.Range(0, agentCount).Select(_ => Channel.CreateUnbounded<string>()).ToArray();
        private readonly TaskCompletionSource _allCompleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _completed;

        public ConcurrentDictionary<string, int> RingCounts { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, int> CompletedCounts { get; } = new(StringComparer.Ordinal);
        public ConcurrentQueue<(string Agent, string Conversation)> Withdrawn { get; } = new();
        public Channel<bool> SweepDue { get; } = Channel.CreateUnbounded<bool>();
        public Task AllCompleted => _allCompleted.Task;

        public ChannelReader<string> Rings(int agent) => _rings[agent].Reader;

        public void StopAgents()
        {
            foreach (var ring in _rings) ring.Writer.TryComplete();
            SweepDue.Writer.TryComplete();
        }

        public void Fail(Exception error) => _allCompleted.TrySetException(error);

        public void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline)
        {
            RingCounts.AddOrUpdate(conversationId, 1, static (_, n) => n + 1);
            _rings[int.Parse(agentId.AsSpan(1))].Writer.TryWrite(conversationId);
        }

        public void OfferWithdrawn(string tenant, string agentId, string conversationId) => Withdrawn.Enqueue((agentId, conversationId));

        public void ConversationChanged(string tenant, ConversationSnapshot conversation)
        {
            if (conversation.Status != ConversationStatus.Completed) return;
            if (CompletedCounts.AddOrUpdate(conversation.Id, 1, static (_, n) => n + 1) != 1) return;
            var completed = Interlocked.Increment(ref _completed);
            if (completed % 100 == 0) SweepDue.Writer.TryWrite(true);
            if (completed == conversationCount) _allCompleted.TrySetResult();
        }

        public void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
        {
        }

        public void QueuePositionChanged(string tenant, string conversationId, string groupId, int position)
        {
        }
    }
}
