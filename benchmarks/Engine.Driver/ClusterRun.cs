using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Engine.Driver;

public sealed record ClusterRunOptions(int Silos, TimeSpan Duration, TimeSpan KillEvery, int Agents, int ReceptionCap, int InFlight);

public sealed record ClusterRunResult(
    int Silos, int Kills, double ConversationsPerSecond, long ConversationsStarted, long ConversationsCompleted,
    long ConversationsLost, long DoubleOffers, long OverCap, double FailoverSecondsMax, double Seconds, int Agents, IReadOnlyList<string> LostSample);

/// <summary>
/// The engine as a cluster of real server processes, each a silo and a web front, on one PostgreSQL store: agents
/// answer, end and complete what rings at them through any live front, customers keep a number of conversations in
/// flight, and one silo is killed with SIGKILL every <see cref="ClusterRunOptions.KillEvery"/> and started again.
/// Counts what was lost (an acknowledged conversation never completed), what two agents held (RT-5), and the time
/// from each kill until every agent's grain answers again (the lost silo's grains come back on the others); every
/// agent also reports what it holds each round, which must never pass the reception cap (SG-3).
/// </summary>
public sealed class ClusterRun : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly ClusterRunOptions _options;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _workDir;
    private readonly EngineServer?[] _servers;
    private readonly EngineClient?[] _clients;
    private readonly ConcurrentDictionary<string, byte> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _completed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _completions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _answeredBy = new(StringComparer.Ordinal);
    private ContactCenter _center = null!;
    private HashSet<string>[] _mine = [];
    private long _next;
    private long _overCap;

    private ClusterRun(ClusterRunOptions options, IReadOnlyDictionary<string, string> storeSettings, string workDir)
    {
        _options = options;
        _workDir = workDir;
        var settings = new Dictionary<string, string>(ContactCenter.ServerSettings);
        foreach (var (key, value) in storeSettings) settings[key] = value;
        settings["Engine__Cluster"] = "postgres";
        settings["Engine__Orleans__ClusterId"] = "run-" + Guid.NewGuid().ToString("N")[..8];
        _settings = settings;
        _servers = new EngineServer?[options.Silos];
        _clients = new EngineClient?[options.Silos];
    }

    /// <summary>Runs the cluster on the PostgreSQL store of <paramref name="storeSettings"/> (a fresh schema), logs under <paramref name="workDir"/>.</summary>
    public static async Task<ClusterRunResult> RunAsync(ClusterRunOptions options, IReadOnlyDictionary<string, string> storeSettings, string workDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDir);
        await using var run = new ClusterRun(options, storeSettings, workDir);
        return await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ClusterRunResult> RunAsync(CancellationToken cancellationToken)
    {
        // The first silo migrates the store; the others join once it is up.
        await StartSiloAsync(0, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Enumerable.Range(1, _options.Silos - 1).Select(i => StartSiloAsync(i, cancellationToken))).ConfigureAwait(false);
        _center = await ContactCenter.SetUpAsync(_servers[0]!.Address, _options.Agents, _options.ReceptionCap, cancellationToken).ConfigureAwait(false);
        _mine = [.. _center.Agents.Select(_ => new HashSet<string>(StringComparer.Ordinal))];

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var agents = _center.Agents.Select((agent, i) => Task.Run(() => AgentLoopAsync(i, agent.Id, agent.Token, stop.Token), CancellationToken.None)).ToArray();
        var customers = Enumerable.Range(0, _options.InFlight).Select(i => Task.Run(() => CustomerLoopAsync(i, stop.Token), CancellationToken.None)).ToArray();
        var kills = 0;
        var failovers = new List<Task<double>>();
        using var schedule = new PeriodicTimer(_options.KillEvery);
        for (var at = _options.KillEvery; at < _options.Duration; at += _options.KillEvery)
        {
            await schedule.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            // The next silo in turn that is up (one being started again is passed over); one always stays up.
            var victim = Enumerable.Range(kills, _options.Silos).Select(i => i % _options.Silos).First(i => _servers[i] is not null);
            if (_servers.Count(s => s is not null) < 2) continue;
            failovers.Add(KillAndRestartAsync(victim, cancellationToken));
            kills++;
        }
        var rest = _options.Duration - clock.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            using var end = new PeriodicTimer(rest);
            await end.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        var failoverMax = failovers.Count == 0 ? 0 : (await Task.WhenAll(failovers).ConfigureAwait(false)).Max();
        var seconds = clock.Elapsed.TotalSeconds;
        var completedInRun = _completed.Count;

        // No new customers; the agents finish what was started.
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(customers).ConfigureAwait(false);
        await Task.WhenAll(agents).ConfigureAwait(false);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(TimeSpan.FromSeconds(60));
        await Task.WhenAll(_center.Agents.Select((agent, i) => Task.Run(() => DrainAsync(i, agent.Id, agent.Token, drain.Token), CancellationToken.None))).ConfigureAwait(false);

        var lost = _started.Keys.Where(id => !_completed.ContainsKey(id)).ToList();
        return new ClusterRunResult(
            _options.Silos, kills, Math.Round(completedInRun / seconds), _started.Count, _completed.Count,
            lost.Count, _answeredBy.Count(a => a.Value.Count > 1), Interlocked.Read(ref _overCap),
            Math.Round(failoverMax, 2), Math.Round(seconds, 1), _options.Agents, await DescribeAsync(lost.Take(10), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Where each of a few lost conversations stands, for the report.</summary>
    private async Task<IReadOnlyList<string>> DescribeAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var described = new List<string>();
        foreach (var id in ids)
        {
            try
            {
                var c = await AnyClient(0).GetAsync($"{_center.Base}/conversations/{id}", _center.AdminToken, cancellationToken).ConfigureAwait(false);
                described.Add($"{id} {ContactCenter.Text(c, "status")} at {ContactCenter.Text(c, "agentId") ?? "-"}");
            }
            catch (Exception e) when (e is HttpRequestException or EngineApiException or TaskCanceledException)
            {
                described.Add($"{id}: {e.Message}");
            }
        }
        return described;
    }

    private async Task StartSiloAsync(int index, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(_settings) { ["Engine__DataDir"] = Path.Combine(_workDir, "silo" + index) };
        var server = await EngineServer.StartAsync(settings, Path.Combine(_workDir, $"silo{index}.log"), StartTimeout, cancellationToken).ConfigureAwait(false);
        _clients[index] = new EngineClient(server.Address);
        _servers[index] = server;
    }

    /// <summary>Kills one silo, measures until every agent's grain answers through the others, then starts it again.</summary>
    private async Task<double> KillAndRestartAsync(int victim, CancellationToken cancellationToken)
    {
        var server = _servers[victim]!;
        var client = _clients[victim]!;
        _servers[victim] = null;
        _clients[victim] = null;
        var killed = Stopwatch.StartNew();
        await server.KillAsync().ConfigureAwait(false);
        Console.Error.WriteLine($"killed silo {victim} at {DateTime.UtcNow:HH:mm:ss.fff}");
        await server.DisposeAsync().ConfigureAwait(false);
        client.Dispose();
        var pending = _center.Agents.ToList();
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var answered = await Task.WhenAll(pending.Select(async (agent, i) =>
            {
                try
                {
                    await AnyClient(i).GetAsync($"{_center.Base}/me/presence", agent.Token, cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Exception e) when (e is HttpRequestException or EngineApiException or TaskCanceledException)
                {
                    return false;
                }
            })).ConfigureAwait(false);
            pending = [.. pending.Where((_, i) => !answered[i])];
        }
        var failover = killed.Elapsed.TotalSeconds;
        await StartSiloAsync(victim, cancellationToken).ConfigureAwait(false);
        return failover;
    }

    private async Task CustomerLoopAsync(int customer, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var visitor = "v" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
            try
            {
                var started = await AnyClient(customer).PostAsync($"{_center.Base}/conversations", _center.AdminToken,
                    new { skillGroupId = _center.GroupId, visitorId = visitor, mode = "online" }, stop).ConfigureAwait(false);
                var id = (string)started!["id"]!;
                _started.TryAdd(id, 0);
                await Completion(id).Task.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or EngineApiException or TaskCanceledException or OperationCanceledException)
            {
                // Not acknowledged (a front died under the call, or the run ends): not counted as started.
            }
        }
    }

    private async Task AgentLoopAsync(int index, string agentId, string token, CancellationToken stop)
    {
        var mine = _mine[index];
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!stop.IsCancellationRequested)
        {
            if (!await WorkAsync(index, agentId, token, mine, stop).ConfigureAwait(false) && !await NextPollAsync(poll, stop).ConfigureAwait(false)) return;
        }
    }

    private async Task DrainAsync(int index, string agentId, string token, CancellationToken stop)
    {
        var mine = _mine[index];
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!stop.IsCancellationRequested && _started.Keys.Any(id => !_completed.ContainsKey(id)))
        {
            if (!await WorkAsync(index, agentId, token, mine, stop).ConfigureAwait(false) && !await NextPollAsync(poll, stop).ConfigureAwait(false)) return;
        }
    }

    /// <summary>An agent with nothing to do asks again at the next tick of its poll; false when the run is ending.</summary>
    private static async Task<bool> NextPollAsync(PeriodicTimer poll, CancellationToken stop)
    {
        try
        {
            return await poll.WaitForNextTickAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private TaskCompletionSource Completion(string id)
        => _completions.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Completed(string id)
    {
        _completed.TryAdd(id, 0);
        Completion(id).TrySetResult();
    }

    /// <summary>
    /// One round of an agent's work: what rings is taken on, and each conversation the agent took on moves one step
    /// (answer, end, complete) from where the engine says it stands, so that a step lost in a failover (its answer
    /// never arrived) is simply done again. False when the agent had nothing to do.
    /// </summary>
    private async Task<bool> WorkAsync(int index, string agentId, string token, HashSet<string> mine, CancellationToken stop)
    {
        try
        {
            var offers = (await AnyClient(index).GetAsync($"{_center.Base}/me/offers", token, stop).ConfigureAwait(false))!.AsArray();
            foreach (var offer in offers) mine.Add((string)offer!["conversationId"]!);
            var presence = await AnyClient(index).GetAsync($"{_center.Base}/me/presence", token, stop).ConfigureAwait(false);
            if ((int)presence!["holding"]! > _options.ReceptionCap) Interlocked.Increment(ref _overCap);
        }
        catch (Exception e) when (IsTransient(e))
        {
            return false;
        }
        foreach (var id in mine.ToList())
        {
            try
            {
                if (await StepAsync(index, agentId, token, id, stop).ConfigureAwait(false)) mine.Remove(id);
            }
            catch (Exception e) when (IsTransient(e))
            {
                // Asked again next round.
            }
        }
        return mine.Count > 0;
    }

    /// <summary>Moves the conversation one step on; true once it is no longer this agent's (completed, or given to another).</summary>
    private async Task<bool> StepAsync(int index, string agentId, string token, string id, CancellationToken stop)
    {
        var path = $"{_center.Base}/conversations/{id}";
        var now = await AnyClient(index).GetAsync(path, _center.AdminToken, stop).ConfigureAwait(false);
        var status = ContactCenter.Text(now, "status");
        if (status == "Completed")
        {
            Completed(id);
            return true;
        }
        if (ContactCenter.Text(now, "agentId") != agentId) return true;
        switch (status)
        {
            case "Offered":
                await AnyClient(index).PostAsync($"{path}/answer", token, null, stop).ConfigureAwait(false);
                _answeredBy.GetOrAdd(id, static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal)).TryAdd(agentId, 0);
                return false;
            case "Active":
                await AnyClient(index).PostAsync($"{path}/end", token, null, stop).ConfigureAwait(false);
                return false;
            case "Ended":
                await AnyClient(index).PostAsync($"{path}/complete", token, null, stop).ConfigureAwait(false);
                Completed(id);
                return true;
            default:
                return true;
        }
    }

    private static bool IsTransient(Exception e) => e is HttpRequestException or EngineApiException or TaskCanceledException or OperationCanceledException;

    /// <summary>A client of a live front, the <paramref name="preferred"/>-th in turn when it is up.</summary>
    private EngineClient AnyClient(int preferred)
    {
        for (var i = 0; i < _clients.Length; i++)
        {
            if (_clients[(preferred + i) % _clients.Length] is { } client) return client;
        }
        throw new HttpRequestException("No front is up.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client?.Dispose();
        foreach (var server in _servers)
        {
            if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
