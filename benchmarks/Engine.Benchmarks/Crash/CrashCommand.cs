using Engine.Benchmarks.Harness;
using Engine.Driver;

namespace Engine.Benchmarks.Crash;

/// <summary>
/// <c>crash</c>: rounds of the crash test against the real server process. Each round starts the server on
/// a fresh store, puts conversations in flight with messages flowing, kills it with SIGKILL, starts it
/// again and checks that nothing acknowledged was lost or doubled and that routing goes on. With <c>--flow</c> the
/// customers stand mid-flow instead (the two sample flows, through the adapter API), and each must carry on from the
/// module it stood at.
/// </summary>
internal sealed class CrashCommand : IHarnessCommand
{
    public string Summary => "SIGKILL the real server with conversations in flight and messages flowing, restart, count what was lost";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("store", OptionKind.Text, "sqlite or postgres (postgres reads ConnectionStrings__Engine)", "sqlite", Placeholder: "STORE"),
        new("rounds", OptionKind.Integer, "crash rounds, each on a fresh store", "20"),
        new("conversations", OptionKind.Integer, "conversations in flight when the server is killed", "1000"),
        new("agents", OptionKind.Integer, "agents online in the skill group", "25"),
        new("cap", OptionKind.Integer, "reception cap of the skill group", "8"),
        new("flood-seconds", OptionKind.Number, "mean time messages flow before the kill", "0.5"),
        new("flow", OptionKind.Flag, "customers mid-flow instead (web chat and IVR through the adapter API); --conversations is then the web customers, a third as many callers"),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var store = options.GetText("store")!;
        if (store is not ("sqlite" or "postgres")) throw new UsageException("crash needs --store sqlite or --store postgres");
        var crashOptions = new CrashOptions(
            Conversations: options.GetInt("conversations"),
            Agents: options.GetInt("agents"),
            ReceptionCap: options.GetInt("cap"),
            AnsweredPerAgent: Math.Max(1, options.GetInt("cap") * 3 / 4),
            FloodSeconds: options.GetDouble("flood-seconds"));
        var workDir = Path.Combine(Path.GetTempPath(), "engine-crash-" + Guid.NewGuid().ToString("N")[..8]);
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Engine");
        if (options.GetFlag("flow")) return await RunFlowRoundsAsync(options, store, postgres, workDir, cancellationToken).ConfigureAwait(false);
        var (rounds, clean) = await RoundsAsync(
            options.GetInt("rounds"), round => CrashRound.RunAsync(round, store, postgres, crashOptions, workDir, cancellationToken), r => r.Clean,
            r => $"{r.MessagesAcknowledged} messages acknowledged, recovery {r.RecoverySeconds:0.00} s", workDir).ConfigureAwait(false);

        var summary = new CrashSummary(
            store,
            rounds.Count,
            rounds.Sum(r => r.ConversationsLost),
            rounds.Sum(r => r.ConversationsChanged),
            rounds.Sum(r => r.MessagesLost),
            rounds.Sum(r => r.MessagesDuplicated),
            rounds.Sum(r => r.AgentsChanged),
            rounds.Count(r => !r.QueueOrderKept),
            rounds.Count(r => !r.RoutingResumed),
            rounds.Sum(r => r.MessagesAcknowledged),
            rounds.Sum(r => r.MessagesUnacknowledged),
            rounds.Max(r => r.RecoverySeconds),
            crashOptions.Conversations,
            rounds);
        await HarnessOutput.WriteAsync("crash", summary, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return clean ? 0 : 1;
    }

    /// <summary>Runs the rounds one after another, a line each on stderr; the server logs are kept when a round found a problem.</summary>
    private static async Task<(List<T> Rounds, bool Clean)> RoundsAsync<T>(int count, Func<int, Task<T>> run, Func<T, bool> clean, Func<T, string> line, string workDir)
    {
        var rounds = new List<T>();
        for (var round = 1; round <= count; round++)
        {
            var result = await run(round).ConfigureAwait(false);
            Console.Error.WriteLine($"round {round}: {(clean(result) ? "clean" : "NOT CLEAN")}; {line(result)}");
            rounds.Add(result);
        }
        var allClean = rounds.All(clean);
        if (allClean) Directory.Delete(workDir, recursive: true);
        else Console.Error.WriteLine($"server logs: {workDir}");
        return (rounds, allClean);
    }

    private static async Task<int> RunFlowRoundsAsync(ParsedOptions options, string store, string? postgres, string workDir, CancellationToken cancellationToken)
    {
        var web = options.GetInt("conversations");
        var flowOptions = new FlowCrashOptions(WebCustomers: web, Callers: Math.Max(2, web / 3), Agents: options.GetInt("agents"), ReceptionCap: options.GetInt("cap"));
        var (rounds, clean) = await RoundsAsync(
            options.GetInt("rounds"), round => FlowCrashRound.RunAsync(round, store, postgres, flowOptions, workDir, cancellationToken), r => r.Clean,
            r => $"{r.CarriedOn} of {r.Customers} carried on, recovery {r.RecoverySeconds:0.00} s", workDir).ConfigureAwait(false);
        var summary = new FlowCrashSummary(
            store, rounds.Count, rounds.Sum(r => r.Customers), rounds.Sum(r => r.CarriedOn), rounds.Sum(r => r.BegunAgain), rounds.Sum(r => r.WrongAnswer),
            rounds.Sum(r => r.Failed), rounds.Max(r => r.RecoverySeconds), rounds);
        await HarnessOutput.WriteAsync("crash --flow", summary, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return clean ? 0 : 1;
    }
}

internal sealed record FlowCrashSummary(
    string Store, int Rounds, int CustomersMidFlow, int CarriedOn, int BegunAgain, int WrongAnswer, int Failed, double RecoverySecondsMax,
    IReadOnlyList<FlowCrashResult> PerRound);

internal sealed record CrashSummary(
    string Store,
    int Rounds,
    int ConversationsLost,
    int ConversationsChanged,
    int MessagesLost,
    int MessagesDuplicated,
    int AgentsChanged,
    int RoundsWithQueueOrderChanged,
    int RoundsWithRoutingStalled,
    long MessagesAcknowledged,
    long MessagesUnacknowledgedAtKill,
    double RecoverySecondsMax,
    int ConversationsPerRound,
    IReadOnlyList<CrashRoundResult> PerRound);
