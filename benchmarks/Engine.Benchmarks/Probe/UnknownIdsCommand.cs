using System.Diagnostics;
using System.Net;
using Engine.Benchmarks.Harness;
using Engine.Driver;

namespace Engine.Benchmarks.Probe;

/// <summary>
/// <c>unknown-ids</c>: a burst of made-up conversation ids against the real server process, as a scanner would
/// send them. Every one must be a 404 answered from the records, and the server's grain activations must not grow.
/// </summary>
internal sealed class UnknownIdsCommand : IHarnessCommand
{
    public string Summary => "GET made-up conversation ids against the real server: every one a 404, no grain activated";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("store", OptionKind.Text, "sqlite or postgres (postgres reads ConnectionStrings__Engine)", "sqlite", Placeholder: "STORE"),
        new("ids", OptionKind.Integer, "made-up ids to ask for", "100000"),
        new("concurrency", OptionKind.Integer, "requests in flight", "64"),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var storeKind = options.GetText("store")!;
        if (storeKind is not ("sqlite" or "postgres")) throw new UsageException("unknown-ids needs --store sqlite or --store postgres");
        var ids = options.GetInt("ids");
        var concurrency = options.GetInt("concurrency");
        var workDir = Path.Combine(Path.GetTempPath(), "engine-ids-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workDir);
        await using var store = await CrashStore.CreateAsync(storeKind, workDir, Environment.GetEnvironmentVariable("ConnectionStrings__Engine"), cancellationToken).ConfigureAwait(false);
        var settings = ContactCenter.ServerSettings.Concat(store.Settings).ToDictionary();
        await using var server = await EngineServer.StartAsync(settings, Path.Combine(workDir, "server.log"), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var center = await ContactCenter.SetUpAsync(server.Address, agents: 1, receptionCap: 1, cancellationToken).ConfigureAwait(false);
        using var operatorClient = new EngineClient(server.Address);
        await operatorClient.SignInAsync(ContactCenter.OperatorEmail, ContactCenter.OperatorPassword, null, cancellationToken).ConfigureAwait(false);
        var before = await ActivationsAsync(operatorClient, cancellationToken).ConfigureAwait(false);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", center.AdminToken);
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, ids), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            // Ids as the engine makes them: 64-bit random values in hex.
            var id = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64()));
            using var response = await http.GetAsync($"{center.Base}/conversations/{id}", ct).ConfigureAwait(false);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        }).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var after = await ActivationsAsync(operatorClient, cancellationToken).ConfigureAwait(false);
        Directory.Delete(workDir, recursive: true);

        var notFound = statuses.GetValueOrDefault((int)HttpStatusCode.NotFound);
        var result = new UnknownIdsResult(storeKind, ids, concurrency, notFound, ids - notFound, Math.Round(ids / seconds), before, after, Math.Max(0, after - before));
        await HarnessOutput.WriteAsync("unknown-ids", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return result.OtherStatuses == 0 && result.ActivationsAdded == 0 ? 0 : 1;
    }

    private static async Task<long> ActivationsAsync(EngineClient client, CancellationToken cancellationToken)
        => (long)(await client.GetAsync("api/v1/engine/stats", null, cancellationToken).ConfigureAwait(false))!["activations"]!;
}

internal sealed record UnknownIdsResult(
    string Store, int Ids, int Concurrency, int NotFound, int OtherStatuses, double RequestsPerSecond,
    long ActivationsBefore, long ActivationsAfter, long ActivationsAdded);
