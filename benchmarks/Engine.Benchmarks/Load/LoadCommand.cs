using Engine.Benchmarks.Harness;

namespace Engine.Benchmarks.Load;

/// <summary><c>load</c>: a contact center simulated in process against the routing grains.</summary>
internal sealed class LoadCommand : IHarnessCommand
{
    public string Summary => "routing load: agents in overlapping groups, arrivals, answer, end, complete";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("agents", OptionKind.Integer, "agents, all online", "10000"),
        new("groups", OptionKind.Integer, "online skill groups; each agent is in two of them", "100"),
        new("cap", OptionKind.Integer, "reception cap of every group", "2"),
        HarnessOption.Seconds(10),
        new("warmup", OptionKind.Number, "warm-up seconds before measuring, excluded from the figures", "2", AllowZero: true),
        new("rate", OptionKind.Number, "Poisson arrivals per second; 0 = as fast as the engine takes them", "0", AllowZero: true),
        new("concurrency", OptionKind.Integer, "conversations in flight when arrivals are unpaced", "2000"),
        new("handle-ms", OptionKind.Number, "how long an agent keeps a conversation before ending it", "0", AllowZero: true),
        new("visitors", OptionKind.Integer, "distinct returning visitors the arrivals are drawn from", "10000"),
        new("queued-sample", OptionKind.Integer, "conversations queued with no agent to measure bytes per queued conversation", "10000", AllowZero: true),
        new("store", OptionKind.Text, "where grain state and reminders live: memory, sqlite or postgres (ConnectionStrings__Engine)", "memory", Placeholder: "STORE"),
        new("alloc-profile", OptionKind.Flag, "also sample allocations by type during the measured phase"),
        new("flow", OptionKind.Flag, "each conversation first runs the online sample flow (welcome, one branch answer) before its transfer"),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var settings = new LoadSettings(
            options.GetInt("agents"),
            options.GetInt("groups"),
            options.GetInt("cap"),
            options.GetSeconds("seconds"),
            options.GetSeconds("warmup"),
            options.GetDouble("rate"),
            options.GetInt("concurrency"),
            TimeSpan.FromMilliseconds(options.GetDouble("handle-ms")),
            options.GetInt("visitors"),
            options.GetInt("queued-sample"),
            options.GetFlag("alloc-profile"),
            options.GetText("store")!,
            options.GetFlag("flow"));
        await using var store = await Storage.HarnessStore.OpenAsync(settings.Store, cancellationToken).ConfigureAwait(false);
        var result = await LoadSimulation.RunAsync(settings, store, cancellationToken).ConfigureAwait(false);
        await HarnessOutput.WriteAsync("load", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return 0;
    }
}

internal sealed record LoadSettings(
    int Agents,
    int Groups,
    int Cap,
    TimeSpan Seconds,
    TimeSpan Warmup,
    double Rate,
    int Concurrency,
    TimeSpan Handle,
    int Visitors,
    int QueuedSample,
    bool AllocationProfile,
    string Store,
    bool Flow);

internal sealed record LoadResult(
    string Store,
    bool Flow,
    double ConversationsPerSecond,
    double ConversationsPerCpuSecond,
    double QueuedToOfferedP50Ms,
    double QueuedToOfferedP99Ms,
    double QueuedToOfferedMaxBucketMs,
    long BytesPerIdleAgent,
    long BytesPerQueuedConversation,
    long Conversations,
    long Failed,
    double Seconds,
    double OfferedRate,
    int Agents,
    int Groups,
    int Cap,
    string Arrivals,
    double HandleMs,
    double CpuUtilization,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double AllocatedBytesPerConversation,
    double GcPauseMs,
    GcSample LastEphemeralGc,
    GcSample LastFullBlockingGc,
    long WorkingSetBytes,
    int Activations,
    IReadOnlyList<AllocationShare>? TopAllocations);

internal sealed record GcSample(int Generation, double PauseMs, long PromotedBytes, long HeapSizeBytes, double PauseTimePercentage);
