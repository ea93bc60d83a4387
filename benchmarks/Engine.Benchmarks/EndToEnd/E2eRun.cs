using System.Diagnostics;
using System.Globalization;
using Engine.Benchmarks.Harness;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>
/// One end-to-end run: a tenant set up over REST, every agent and visitor connected over SignalR, every visitor's
/// conversation answered (the warm-up), then visitors' messages for the measured window, timed from the visitor's
/// <c>Send</c> to the agent's <c>message</c> push, and a drain for the last arrivals.
/// </summary>
internal static class E2eRun
{
    /// <summary>The server's per-address limit of web chat hub requests (default 120 a minute); one visitor's connection is one request.</summary>
    public const string RateLimitSetting = "Engine__Chat__HubRequestsPerMinute";

    /// <summary>How long one connection may take to open, from the request to the hub's first answer.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    public static async Task<E2eResult> RunAsync(E2eSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Progress($"setting up a tenant on {settings.Servers[0]}: {settings.Groups} online skill groups (cap {settings.Cap}), {settings.Agents} agents with API tokens, a flow and a website channel per group");
        var tenant = await E2eTenant.SetUpAsync(settings.Servers[0], settings.OperatorEmail, settings.OperatorPassword,
            settings.Agents, settings.Groups, settings.Cap, Progress, cancellationToken).ConfigureAwait(false);
        var setUp = Stopwatch.GetElapsedTime(started);
        Progress($"tenant {tenant.TenantId} set up in {setUp.TotalSeconds:0.0} s");

        var ledger = new MessageLedger();
        var counters = new E2eCounters();
        var agents = tenant.Agents.Select(a => new AgentConnection(a, Server(settings, a.Index), ledger, counters)).ToArray();
        var visitors = Enumerable.Range(0, settings.Visitors).Select(v => new VisitorConnection(
            v, $"e2e-{tenant.Run}-{v:D6}", tenant.ChannelKeys[E2eTenant.GroupOf(v, settings.Groups)], Server(settings, settings.Agents + v), ledger, counters)).ToArray();
        try
        {
            var connecting = Stopwatch.GetTimestamp();
            var agentsConnected = await ForEachAsync(agents, settings.ConnectParallelism, (a, ct) => a.ConnectAsync(ct), counters, "agent connect", cancellationToken).ConfigureAwait(false);
            var visitorsConnected = await ForEachAsync(visitors, settings.ConnectParallelism, (v, ct) => v.ConnectAsync(ct), counters, "visitor connect", cancellationToken).ConfigureAwait(false);
            var connect = Stopwatch.GetElapsedTime(connecting);
            Progress($"{agentsConnected} agents online and {visitorsConnected} visitors connected in {connect.TotalSeconds:0.0} s");
            if (counters.RateLimited > 0)
                Progress($"{counters.RateLimited} connections refused with 429: the server limits anonymous chat connections per address; start it with {RateLimitSetting}=0 (no limit) for this benchmark");

            var warming = Stopwatch.GetTimestamp();
            var opened = await ForEachAsync(visitors.Where(v => v.Connected).ToArray(), settings.ConnectParallelism, (v, ct) => v.OpenAsync(ct), counters, "first message", cancellationToken).ConfigureAwait(false);
            await WaitUntilAsync(() => Answered(visitors, counters) >= opened, settings.WarmUpTimeout - Stopwatch.GetElapsedTime(warming), cancellationToken).ConfigureAwait(false);
            var ready = visitors.Where(v => v.ConversationId is { } id && counters.IsAnswered(id)).ToArray();
            var warmUp = Stopwatch.GetElapsedTime(warming);
            Progress($"{ready.Length} of {opened} conversations answered in {warmUp.TotalSeconds:0.0} s; measuring {settings.Seconds.TotalSeconds:0.#} s {(settings.Rate > 0 ? $"at {settings.Rate:0.#} messages/s" : "unpaced")}");

            var (window, drain) = ready.Length > 0 ? await MeasureAsync(settings, ready, ledger, counters, cancellationToken).ConfigureAwait(false) : (null, TimeSpan.Zero);
            var seconds = settings.Seconds.TotalSeconds;
            return new E2eResult(
                CommandLine: CommandLine(),
                Urls: [.. settings.Servers.Select(s => s.ToString())],
                E2eConnections: agentsConnected + visitorsConnected,
                MessagesPerSecond: window is null ? 0 : ledger.ArrivedInWindow / seconds,
                VisitorToAgentP50Ms: ledger.VisitorToAgent.Percentile(0.50),
                VisitorToAgentP90Ms: ledger.VisitorToAgent.Percentile(0.90),
                VisitorToAgentP99Ms: ledger.VisitorToAgent.Percentile(0.99),
                VisitorToAgentMaxMs: ledger.VisitorToAgent.Percentile(1.0),
                MessagesLost: Math.Max(0, ledger.Missing),
                Pacing: settings.Rate > 0
                    ? $"paced: {settings.Rate.ToString("0.#", CultureInfo.InvariantCulture)} messages/s over all visitors"
                    : "unpaced: each visitor's next Send once the last returned",
                AcknowledgedPerSecond: window is null ? 0 : ledger.Acknowledged / seconds,
                MessagesSent: ledger.Sent,
                MessagesAcknowledged: ledger.Acknowledged,
                MessagesArrived: ledger.Arrived,
                MessagesArrivedInWindow: ledger.ArrivedInWindow,
                MessagesUnacknowledged: ledger.InFlight,
                SendErrors: ledger.SendErrors,
                UnmatchedArrivals: ledger.Unmatched,
                SendAckP50Ms: ledger.SendAck.Percentile(0.50),
                SendAckP99Ms: ledger.SendAck.Percentile(0.99),
                Agents: settings.Agents,
                Visitors: settings.Visitors,
                AgentsConnected: agentsConnected,
                VisitorsConnected: visitorsConnected,
                VisitorsMeasured: ready.Length,
                Groups: settings.Groups,
                Cap: settings.Cap,
                Seconds: seconds,
                SetUpSeconds: setUp.TotalSeconds,
                ConnectSeconds: connect.TotalSeconds,
                WarmUpSeconds: warmUp.TotalSeconds,
                DrainSeconds: drain.TotalSeconds,
                ConnectErrors: counters.ConnectErrors,
                ConnectsRateLimited: counters.RateLimited,
                OffersRinging: counters.OffersRinging,
                AnswerErrors: counters.AnswerErrors,
                OffersWithdrawn: counters.OffersWithdrawn,
                ConversationsEnded: counters.ConversationsEnded,
                Disconnects: counters.Disconnects,
                HarnessCpuUtilization: window?.CpuUtilization ?? 0,
                FirstError: counters.FirstError);
        }
        finally
        {
            Progress("closing the connections");
            await Parallel.ForEachAsync(agents.Cast<IAsyncDisposable>().Concat(visitors), new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectParallelism },
                async (connection, _) => await connection.DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The measured window: the visitors send (paced or not) for the set seconds; then the drain, until every
    /// <c>Send</c> has returned and every acknowledged message has arrived, or the drain time is up.
    /// </summary>
    private static async Task<(PhaseStats? Window, TimeSpan Drain)> MeasureAsync(E2eSettings settings, VisitorConnection[] ready, MessageLedger ledger, E2eCounters counters, CancellationToken cancellationToken)
    {
        var meter = PhaseMeter.Start();
        var windowEnd = Stopwatch.GetTimestamp() + (long)(settings.Seconds.TotalSeconds * Stopwatch.Frequency);
        ledger.EndWindowAt(windowEnd);
        var sending = settings.Rate > 0
            ? PaceAsync(ready, settings.Rate, windowEnd, cancellationToken)
            : Task.WhenAll(ready.Select(v => v.SendUntilAsync(windowEnd)));
        await HarnessClock.WaitAsync(settings.Seconds, cancellationToken).ConfigureAwait(false);
        var window = meter.Stop(ledger.ArrivedInWindow);
        var draining = Stopwatch.GetTimestamp();
        await WaitUntilAsync(() => sending.IsCompleted && ledger.InFlight == 0 && ledger.Missing <= 0, settings.Drain, cancellationToken).ConfigureAwait(false);
        if (sending.IsFaulted) counters.Error("sending", sending.Exception!.GetBaseException());
        return (window, Stopwatch.GetElapsedTime(draining));
    }

    /// <summary>Connections go round robin over the servers given: agents first, then visitors.</summary>
    private static Uri Server(E2eSettings settings, int connection) => settings.Servers[connection % settings.Servers.Count];

    private static int Answered(VisitorConnection[] visitors, E2eCounters counters)
        => visitors.Count(v => v.ConversationId is { } id && counters.IsAnswered(id));

    /// <summary>
    /// <paramref name="rate"/> messages a second over all visitors, released on a 1 ms tick, each to the next visitor in
    /// turn whose last <c>Send</c> has returned. When every visitor still waits, the rest waits for the next tick (the
    /// debt carries over, so the rate is caught up once the server answers again).
    /// </summary>
    private static async Task PaceAsync(VisitorConnection[] visitors, double rate, long windowEnd, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        var started = Stopwatch.GetTimestamp();
        long released = 0;
        var cursor = 0;
        while (await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= windowEnd) return;
            var due = (long)(Stopwatch.GetElapsedTime(started, now).TotalSeconds * rate) - released;
            for (; due > 0; due--)
            {
                if (NextIdle(visitors, ref cursor) is not { } visitor) break;
                released++;
                _ = visitor.SendNextAsync();
            }
        }
    }

    private static VisitorConnection? NextIdle(VisitorConnection[] visitors, ref int cursor)
    {
        for (var i = 0; i < visitors.Length; i++)
        {
            var visitor = visitors[cursor];
            cursor = (cursor + 1) % visitors.Length;
            if (visitor.TryClaim()) return visitor;
        }
        return null;
    }

    /// <summary>Runs <paramref name="action"/> on every item, <paramref name="parallelism"/> at a time, each within <see cref="ConnectTimeout"/>; returns how many succeeded.</summary>
    private static async Task<int> ForEachAsync<T>(IReadOnlyList<T> items, int parallelism, Func<T, CancellationToken, Task> action, E2eCounters counters, string what, CancellationToken cancellationToken)
    {
        var succeeded = 0;
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                await action(item, timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref succeeded);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // One connection refused, timed out or dropped is counted and reported; the run goes on with the others.
                counters.ConnectFailed(what, e);
            }
        }).ConfigureAwait(false);
        return succeeded;
    }

    /// <summary>Polls <paramref name="done"/> every 10 ms until it holds or <paramref name="timeout"/> has passed.</summary>
    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Math.Max(0, timeout.TotalSeconds) * Stopwatch.Frequency);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!done() && Stopwatch.GetTimestamp() < deadline) await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string CommandLine() => string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    private static void Progress(string message) => Console.Error.WriteLine($"e2e: {message}");
}
