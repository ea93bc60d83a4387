using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Engine.Driver;

public sealed record CrashOptions(int Conversations = 1000, int Agents = 25, int ReceptionCap = 8, int AnsweredPerAgent = 6, int MessageWriters = 32, double FloodSeconds = 0.5);

/// <summary>What one crash round found. Every count but the acknowledged ones must be 0, and routing must resume.</summary>
public sealed record CrashRoundResult(
    int Round, string Store, int Conversations, int Queued, int Offered, int Active,
    int ConversationsLost, int ConversationsChanged, int AgentsChanged, bool QueueOrderKept, bool RoutingResumed,
    long MessagesAcknowledged, long MessagesUnacknowledged, int MessagesLost, int MessagesDuplicated, double RecoverySeconds)
{
    public bool Clean => ConversationsLost == 0 && ConversationsChanged == 0 && AgentsChanged == 0 && QueueOrderKept && RoutingResumed && MessagesLost == 0 && MessagesDuplicated == 0;
}

/// <summary>
/// One round of the crash test: the real server with 1,000 conversations in flight (queued, offered,
/// active) and messages being written, killed with SIGKILL, started again on the same store, and checked:
/// every conversation with its status and agent, agents' statuses, the queue's order, every acknowledged
/// message exactly once (also after resending the unacknowledged ones), and routing going on.
/// </summary>
public static class CrashRound
{
    private sealed record Sent(string ConversationId, string ClientMessageId, string Token, string Text);

    public static async Task<CrashRoundResult> RunAsync(int round, string storeKind, string? postgres, CrashOptions options, string workDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDir);
        await using var store = await CrashStore.CreateAsync(storeKind, workDir, postgres, cancellationToken).ConfigureAwait(false);
        var settings = ContactCenter.ServerSettings.Concat(store.Settings).ToDictionary();
        var log = Path.Combine(workDir, $"server-{storeKind}-{round}.log");

        var server = await EngineServer.StartAsync(settings, log, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        ContactCenter center;
        Dictionary<string, (string Status, string? Agent)> expected;
        Dictionary<string, string> agentStatus;
        List<string> queue;
        var sent = new ConcurrentDictionary<string, Sent>();
        var acknowledged = new ConcurrentDictionary<string, long>();
        await using (server.ConfigureAwait(false))
        using (var client = new EngineClient(server.Address))
        {
            center = await ContactCenter.SetUpAsync(server.Address, options.Agents, options.ReceptionCap, cancellationToken).ConfigureAwait(false);
            var ids = await StartConversationsAsync(client, center, options, cancellationToken).ConfigureAwait(false);
            await AnswerAsync(client, center, options, cancellationToken).ConfigureAwait(false);
            (expected, agentStatus, queue) = await SnapshotAsync(client, center, ids, cancellationToken).ConfigureAwait(false);

            // Messages flow on every active conversation, from its agent and its visitor, until the kill.
            var active = expected.Where(e => e.Value.Status == "Active").Select(e => (Id: e.Key, Agent: e.Value.Agent!)).ToList();
            var tokens = center.Agents.ToDictionary(a => a.Id, a => a.Token);
            using var flood = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var writers = Enumerable.Range(0, options.MessageWriters).Select(w => Task.Run(async () =>
            {
                for (var k = 0; !flood.IsCancellationRequested; k++)
                {
                    var (id, agent) = active[Random.Shared.Next(active.Count)];
                    var message = new Sent(id, $"r{round}-w{w}-m{k}", k % 2 == 0 ? tokens[agent] : center.AdminToken, $"message {k} of writer {w}");
                    sent[message.ClientMessageId] = message;
                    try
                    {
                        var ack = await client.PostAsync($"{center.Base}/conversations/{id}/messages", message.Token, new { text = message.Text, clientMessageId = message.ClientMessageId }, CancellationToken.None).ConfigureAwait(false);
                        acknowledged[message.ClientMessageId] = (long)ack!["seq"]!;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or EngineApiException)
                    {
                        return;
                    }
                }
            }, CancellationToken.None)).ToList();
            // The kill lands at a random moment of the flood: between half and one and a half times FloodSeconds.
            using (var killAt = new PeriodicTimer(TimeSpan.FromSeconds(options.FloodSeconds * (0.5 + Random.Shared.NextDouble()))))
                await killAt.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            await server.KillAsync().ConfigureAwait(false);
            flood.Cancel();
            await Task.WhenAll(writers).ConfigureAwait(false);
        }

        var restarted = Stopwatch.StartNew();
        await using var again = await EngineServer.StartAsync(settings, log, TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
        using var check = new EngineClient(again.Address);
        await check.GetAsync($"{center.Base}/skill-groups/{center.GroupId}", center.AdminToken, cancellationToken).ConfigureAwait(false);
        var recovery = restarted.Elapsed.TotalSeconds;

        var (lost, changed) = await CompareConversationsAsync(check, center, expected, cancellationToken).ConfigureAwait(false);
        var agentsChanged = 0;
        foreach (var (id, token) in center.Agents)
        {
            var presence = await check.GetAsync($"{center.Base}/me/presence", token, cancellationToken).ConfigureAwait(false);
            if (ContactCenter.Text(presence, "status") != agentStatus[id]) agentsChanged++;
        }
        var queueAfter = await QueueAsync(check, center, cancellationToken).ConfigureAwait(false);
        var (messagesLost, duplicated) = await CheckMessagesAsync(check, center, sent, acknowledged, cancellationToken).ConfigureAwait(false);
        var resumed = await RoutingResumesAsync(check, center, expected, queueAfter, cancellationToken).ConfigureAwait(false);

        return new CrashRoundResult(round, storeKind, expected.Count,
            expected.Count(e => e.Value.Status == "Queued"), expected.Count(e => e.Value.Status == "Offered"), expected.Count(e => e.Value.Status == "Active"),
            lost, changed, agentsChanged, queueAfter.SequenceEqual(queue), resumed,
            acknowledged.Count, sent.Count - acknowledged.Count, messagesLost, duplicated, Math.Round(recovery, 2));
    }

    private static async Task<IReadOnlyCollection<string>> StartConversationsAsync(EngineClient client, ContactCenter center, CrashOptions options, CancellationToken cancellationToken)
    {
        var ids = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Conversations), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var started = await client.PostAsync($"{center.Base}/conversations", center.AdminToken, new { skillGroupId = center.GroupId, visitorId = $"visitor-{i}", mode = "online" }, ct).ConfigureAwait(false);
            ids.Add((string)started!["id"]!);
        }).ConfigureAwait(false);
        var capacity = Math.Min(options.Conversations, options.Agents * options.ReceptionCap);
        var settled = await ContactCenter.EventuallyAsync(async () =>
        {
            var group = await client.GetAsync($"{center.Base}/skill-groups/{center.GroupId}", center.AdminToken, cancellationToken).ConfigureAwait(false);
            return (int)group!["queueLength"]! == options.Conversations - capacity;
        }, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (!settled) throw new InvalidOperationException("The offers did not settle: the queue never reached its expected length.");
        return ids;
    }

    /// <summary>Each agent answers some of the offers ringing at them; the rest stay offered.</summary>
    private static Task AnswerAsync(EngineClient client, ContactCenter center, CrashOptions options, CancellationToken cancellationToken)
        => Parallel.ForEachAsync(center.Agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (agent, ct) =>
        {
            var offers = (await client.GetAsync($"{center.Base}/me/offers", agent.Token, ct).ConfigureAwait(false))!.AsArray();
            foreach (var offer in offers.Take(options.AnsweredPerAgent))
                await client.PostAsync($"{center.Base}/conversations/{(string)offer!["conversationId"]!}/answer", agent.Token, null, ct).ConfigureAwait(false);
        });

    private static async Task<(Dictionary<string, (string Status, string? Agent)>, Dictionary<string, string>, List<string>)> SnapshotAsync(EngineClient client, ContactCenter center, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var conversations = new ConcurrentDictionary<string, (string Status, string? Agent)>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var c = await client.GetAsync($"{center.Base}/conversations/{id}", center.AdminToken, ct).ConfigureAwait(false);
            conversations[id] = (ContactCenter.Text(c, "status")!, ContactCenter.Text(c, "agentId"));
        }).ConfigureAwait(false);
        var agents = new Dictionary<string, string>();
        foreach (var (id, token) in center.Agents)
            agents[id] = ContactCenter.Text(await client.GetAsync($"{center.Base}/me/presence", token, cancellationToken).ConfigureAwait(false), "status")!;
        return (conversations.ToDictionary(), agents, await QueueAsync(client, center, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<List<string>> QueueAsync(EngineClient client, ContactCenter center, CancellationToken cancellationToken)
    {
        var queue = await client.GetAsync($"{center.Base}/skill-groups/{center.GroupId}/queue", center.AdminToken, cancellationToken).ConfigureAwait(false);
        return [.. queue!["conversationIds"]!.AsArray().Select(n => (string)n!)];
    }

    private static async Task<(int Lost, int Changed)> CompareConversationsAsync(EngineClient client, ContactCenter center, Dictionary<string, (string Status, string? Agent)> expected, CancellationToken cancellationToken)
    {
        int lost = 0, changed = 0;
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (e, ct) =>
        {
            try
            {
                var c = await client.GetAsync($"{center.Base}/conversations/{e.Key}", center.AdminToken, ct).ConfigureAwait(false);
                if (ContactCenter.Text(c, "status") != e.Value.Status || ContactCenter.Text(c, "agentId") != e.Value.Agent) Interlocked.Increment(ref changed);
            }
            catch (EngineApiException notFound) when (notFound.Status == HttpStatusCode.NotFound)
            {
                Interlocked.Increment(ref lost);
            }
        }).ConfigureAwait(false);
        return (lost, changed);
    }

    /// <summary>Resends every unacknowledged message (same client message id), then counts each conversation's messages by client message id.</summary>
    private static async Task<(int Lost, int Duplicated)> CheckMessagesAsync(EngineClient client, ContactCenter center, ConcurrentDictionary<string, Sent> sent, ConcurrentDictionary<string, long> acknowledged, CancellationToken cancellationToken)
    {
        var expectedOnce = new ConcurrentDictionary<string, byte>(acknowledged.Keys.Select(k => KeyValuePair.Create(k, (byte)0)));
        await Parallel.ForEachAsync(sent.Values.Where(s => !acknowledged.ContainsKey(s.ClientMessageId)), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (s, ct) =>
        {
            await client.PostAsync($"{center.Base}/conversations/{s.ConversationId}/messages", s.Token, new { text = s.Text, clientMessageId = s.ClientMessageId }, ct).ConfigureAwait(false);
            expectedOnce[s.ClientMessageId] = 0;
        }).ConfigureAwait(false);

        int lost = 0, duplicated = 0;
        await Parallel.ForEachAsync(sent.Values.GroupBy(s => s.ConversationId), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (conversation, ct) =>
        {
            var counts = new Dictionary<string, (int Count, long Seq)>();
            long after = 0;
            while (true)
            {
                var page = (await client.GetAsync($"{center.Base}/conversations/{conversation.Key}/messages?afterSeq={after}&limit=200", center.AdminToken, ct).ConfigureAwait(false))!.AsArray();
                foreach (var m in page)
                {
                    after = (long)m!["seq"]!;
                    if ((string?)m["clientMessageId"] is { } id) counts[id] = (counts.GetValueOrDefault(id).Count + 1, after);
                }
                if (page.Count < 200) break;
            }
            foreach (var s in conversation.Where(s => expectedOnce.ContainsKey(s.ClientMessageId)))
            {
                var found = counts.GetValueOrDefault(s.ClientMessageId);
                if (found.Count == 0 || (acknowledged.TryGetValue(s.ClientMessageId, out var seq) && seq != found.Seq)) Interlocked.Increment(ref lost);
                else if (found.Count > 1) Interlocked.Increment(ref duplicated);
            }
        }).ConfigureAwait(false);
        return (lost, duplicated);
    }

    /// <summary>An agent finishes one conversation; the head of the queue is then offered.</summary>
    private static async Task<bool> RoutingResumesAsync(EngineClient client, ContactCenter center, Dictionary<string, (string Status, string? Agent)> expected, List<string> queue, CancellationToken cancellationToken)
    {
        if (queue.Count == 0) return true;
        var (id, (_, agent)) = expected.First(e => e.Value.Status == "Active");
        var token = center.Agents.First(a => a.Id == agent).Token;
        await client.PostAsync($"{center.Base}/conversations/{id}/end", token, null, cancellationToken).ConfigureAwait(false);
        await client.PostAsync($"{center.Base}/conversations/{id}/complete", token, null, cancellationToken).ConfigureAwait(false);
        return await ContactCenter.EventuallyAsync(async () =>
        {
            var head = await client.GetAsync($"{center.Base}/conversations/{queue[0]}", center.AdminToken, cancellationToken).ConfigureAwait(false);
            return ContactCenter.Text(head, "status") is "Offered" or "Active";
        }, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }
}
