using Engine.Benchmarks.Harness;
using Engine.Driver;

namespace Engine.Benchmarks.Cluster;

/// <summary>
/// <c>cluster</c>: silos as separate server processes on one PostgreSQL store (<c>ConnectionStrings__Engine</c>, a
/// fresh schema each run), conversations routed through all of them, one silo killed with SIGKILL every few seconds
/// and started again. Prints what was lost, what two agents held, and the longest failover.
/// </summary>
internal sealed class ClusterCommand : IHarnessCommand
{
    public string Summary => "a cluster of server processes on PostgreSQL, one silo killed and restarted every few seconds: lost, double offers, failover";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("silos", OptionKind.Integer, "silos, each a server process (a web front too)", "3"),
        HarnessOption.Seconds(30),
        new("kill-every", OptionKind.Number, "seconds between kills (the first silo, which set the store up, is spared)", "10"),
        new("agents", OptionKind.Integer, "agents online in the skill group, each polling its offers", "20"),
        new("cap", OptionKind.Integer, "reception cap of the skill group", "2"),
        new("in-flight", OptionKind.Integer, "customers, each keeping one conversation in flight", "40"),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var silos = options.GetInt("silos");
        if (silos < 2) throw new UsageException("cluster needs --silos 2 or more: one is killed while the others serve");
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Engine")
            ?? throw new UsageException("cluster needs ConnectionStrings__Engine (a PostgreSQL connection string)");
        var workDir = Path.Combine(Path.GetTempPath(), "engine-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        await using var store = await CrashStore.CreateAsync("postgres", workDir, postgres, cancellationToken).ConfigureAwait(false);
        var result = await ClusterRun.RunAsync(
            new ClusterRunOptions(silos, options.GetSeconds("seconds"), options.GetSeconds("kill-every"), options.GetInt("agents"), options.GetInt("cap"), options.GetInt("in-flight")),
            store.Settings, workDir, cancellationToken).ConfigureAwait(false);
        var clean = result.ConversationsLost == 0 && result.DoubleOffers == 0 && result.OverCap == 0;
        if (clean) Directory.Delete(workDir, recursive: true);
        else Console.Error.WriteLine($"server logs: {workDir}");
        await HarnessOutput.WriteAsync("cluster", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return clean ? 0 : 1;
    }
}
