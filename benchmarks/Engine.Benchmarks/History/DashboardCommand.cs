using System.Diagnostics;
using Dapper;
using Engine.Benchmarks.Harness;
using Engine.Metrics;
using Engine.Persistence;
using Engine.Persistence.Admin;
using Engine.Persistence.Dashboard;
using Engine.Web.Admin;

namespace Engine.Benchmarks.History;

/// <summary>
/// <c>dashboard</c>: on the store <c>history</c> filled (migrated first, as a server starting on it would), times what
/// an admin reads through the real classes the API calls: <see cref="DashboardService"/>'s report, agents and groups
/// for today, this week, this month, this year and a custom week, of all accounts and of the busiest one, each after
/// finding the tenant's zone and today as every request does; then <see cref="RecordStore"/>'s list pages (all, the
/// busiest account, the busiest agent), the message search (<see cref="HistoryTexts.ChineseWord"/> and
/// <see cref="HistoryTexts.EnglishWord"/>, all conversations and the agent's) and an export of the newest records.
/// </summary>
internal sealed class DashboardCommand : IHarnessCommand
{
    /// <summary>The issue's targets on this machine: the P95 of a dashboard read, of a records page and of a search.</summary>
    private const double DashboardTargetMs = 300;

    private const double RecordsTargetMs = 100;

    private const double SearchTargetMs = 500;

    public string Summary => "times the dashboard's reads on the store the history command filled";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("runs", OptionKind.Integer, "measured runs of each query", "10"),
        new("warm-up", OptionKind.Integer, "unmeasured runs of each query first", "2", AllowZero: true),
        new("pages", OptionKind.Integer, "records pages read in turn (the first, then the next ones by their cursor)", "5"),
        new("export-rows", OptionKind.Integer, "records exported to an xlsx file", "100000"),
        HistoryDatabase.StoreOption,
        HistoryDatabase.DataOption,
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var store = HistoryDatabase.Open(options);
        var database = store.Database;
        if (!await store.ExistsAsync(cancellationToken).ConfigureAwait(false)) return NoHistory(store);
        var migrate = Stopwatch.StartNew();
        var migrated = await Migrator.MigrateAsync(database, cancellationToken).ConfigureAwait(false);
        var migrateSeconds = Math.Round(migrate.Elapsed.TotalSeconds, 1);
        if (migrated.Count > 0) Console.WriteLine($"dashboard: applied migrations {string.Join(", ", migrated)} in {migrateSeconds} s");

        var tenant = await FilledTenantAsync(database, cancellationToken).ConfigureAwait(false);
        if (tenant is null) return NoHistory(store);
        Console.WriteLine($"dashboard: tenant {tenant.Id} on the {store.Name} store at {store.Where}: {tenant.Conversations:N0} conversations, {tenant.Visits:N0} visits; busiest account {tenant.AccountId}, busiest agent {tenant.AgentId}");

        var (warmUp, runs) = (options.GetInt("warm-up"), options.GetInt("runs"));
        var service = new DashboardService(new DashboardStore(database), new TenantStore(database), TimeProvider.System);
        var (zone, today) = await service.TodayAsync(tenant.Id, cancellationToken).ConfigureAwait(false);
        var dashboard = DashboardQueries(service, tenant, today);
        await dashboard.RunAsync(warmUp, runs, cancellationToken).ConfigureAwait(false);
        Console.Write(dashboard.Table("dashboard query", DashboardTargetMs));

        // The roll-up's check: the whole history's days add up to what the store holds.
        var whole = await service.ReportAsync(tenant.Id, DashboardPeriod.Of(PeriodKind.Custom, today, today.AddDays(-DashboardPeriod.MaxDays + 1), today), zone, null, cancellationToken).ConfigureAwait(false);

        var records = new RecordStore(database);
        var pages = await RecordReads.PagesAsync(records, tenant.Id, tenant.AccountId, tenant.AgentId, options.GetInt("pages"), cancellationToken).ConfigureAwait(false);
        await pages.RunAsync(warmUp, runs, cancellationToken).ConfigureAwait(false);
        Console.Write(pages.Table("records page", RecordsTargetMs));
        var search = RecordReads.Search(records, tenant.Id, tenant.AgentId, [HistoryTexts.ChineseWord, HistoryTexts.EnglishWord]);
        await search.RunAsync(warmUp, runs, cancellationToken).ConfigureAwait(false);
        Console.Write(search.Table("message search", SearchTargetMs));
        // The rows are read once before the export, as each query above runs unmeasured first: that first read finds
        // the store's pages on disk (after a fill, the newest conversations' last messages are not all in the page
        // cache) and is reported apart, as exportFirstReadRowsPerSecond.
        var exportRows = options.GetInt("export-rows");
        var exportFirstReadRowsPerSecond = await RecordReads.ReadAsync(records, tenant.Id, zone, exportRows, cancellationToken).ConfigureAwait(false);
        var export = await RecordReads.ExportAsync(records, tenant.Id, zone, exportRows, cancellationToken).ConfigureAwait(false);
        var exportReadRowsPerSecond = await RecordReads.ReadAsync(records, tenant.Id, zone, exportRows, cancellationToken).ConfigureAwait(false);

        var result = new DashboardResult(
            store.Name, store.Where, migrateSeconds, tenant.Conversations, whole.Figures.Conversations, tenant.Visits, whole.Figures.Visits, runs,
            dashboard.Percentile(0.5), dashboard.Percentile(0.95), dashboard.Percentile(1.0), dashboard.P95ByQuery(),
            pages.Percentile(0.5), pages.Percentile(0.95), pages.P95ByQuery(),
            search.Percentile(0.5), search.Percentile(0.95), search.P95ByQuery(),
            export.Rows, export.Seconds, export.RowsPerSecond, exportReadRowsPerSecond, exportFirstReadRowsPerSecond, export.FileMb, export.PeakWorkingSetMb, export.WorkingSetAtStartMb, export.PeakMethod);
        await HarnessOutput.WriteAsync("dashboard", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The report and the agents (all accounts, the busiest one) and the groups, for each period the API offers.</summary>
    private static QueryTimings DashboardQueries(DashboardService service, FilledTenant tenant, DateOnly today)
    {
        var periods = new (string Name, PeriodKind Kind, DateOnly? From, DateOnly? To)[]
        {
            ("today", PeriodKind.Today, null, null), ("week", PeriodKind.Week, null, null), ("month", PeriodKind.Month, null, null),
            ("year", PeriodKind.Year, null, null), ("custom7", PeriodKind.Custom, today.AddDays(-13), today.AddDays(-7)),
        };
        var dashboard = new QueryTimings();
        foreach (var (name, kind, from, to) in periods)
        {
            // As the API does for every request: the tenant's zone and today, then the period in it.
            async Task<(TimeZoneInfo Zone, DashboardPeriod Period)> AskAsync(CancellationToken c)
            {
                var (z, t) = await service.TodayAsync(tenant.Id, c).ConfigureAwait(false);
                return (z, DashboardPeriod.Of(kind, t, from, to));
            }
            foreach (var (scope, account) in new[] { ("all", (string?)null), ("account", tenant.AccountId) })
            {
                dashboard.Add($"report {name} {scope}", async c =>
                {
                    var (z, p) = await AskAsync(c).ConfigureAwait(false);
                    await service.ReportAsync(tenant.Id, p, z, account, c).ConfigureAwait(false);
                });
                dashboard.Add($"agents {name} {scope}", async c =>
                {
                    var (z, p) = await AskAsync(c).ConfigureAwait(false);
                    await service.AgentsAsync(tenant.Id, p, z, account, c).ConfigureAwait(false);
                });
            }
            dashboard.Add($"groups {name}", async c =>
            {
                var (_, p) = await AskAsync(c).ConfigureAwait(false);
                await service.GroupsAsync(tenant.Id, p, TimeSpan.FromSeconds(20), 0.8, c).ConfigureAwait(false);
            });
        }
        return dashboard;
    }

    private static int NoHistory(HistoryDatabase store)
    {
        Console.Error.WriteLine($"dashboard: the {store.Name} store at {store.Where} holds no history; fill it first with `history --store {store.Name}`");
        return 1;
    }

    private sealed record FilledTenant(string Id, long Conversations, long Visits, string? AccountId, string? AgentId);

    /// <summary>The tenant the history was made for, with its conversations and visits and its busiest account and agent (from the rollups); null when there is none.</summary>
    private static async Task<FilledTenant?> FilledTenantAsync(Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var tenantId = await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition("SELECT id FROM tenants ORDER BY created_at, id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (tenantId is null) return null;
        Task<long> CountAsync(string table) => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM {table} WHERE tenant_id = @tenantId", new { tenantId }, commandTimeout: 0, cancellationToken: cancellationToken));
        Task<string?> BusiestAsync(string column) => connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT {column} FROM dashboard_days WHERE tenant_id = @tenantId AND {column} <> '' GROUP BY {column} ORDER BY SUM(conversations) DESC, {column}",
            new { tenantId }, cancellationToken: cancellationToken));
        var conversations = await CountAsync("conversations").ConfigureAwait(false);
        if (conversations == 0) return null;
        return new FilledTenant(tenantId, conversations, await CountAsync("visits").ConfigureAwait(false),
            await BusiestAsync("account_id").ConfigureAwait(false), await BusiestAsync("agent_id").ConfigureAwait(false));
    }
}

internal sealed record DashboardResult(
    string Store, string Where, double MigrateSeconds, long StoreConversations, long DashboardConversations, long StoreVisits, long DashboardVisits, int RunsPerQuery,
    double DashboardP50Ms, double DashboardP95Ms, double DashboardMaxMs, IReadOnlyDictionary<string, double> DashboardQueryP95Ms,
    double RecordsPageP50Ms, double RecordsPageP95Ms, IReadOnlyDictionary<string, double> RecordsQueryP95Ms,
    double SearchP50Ms, double SearchP95Ms, IReadOnlyDictionary<string, double> SearchQueryP95Ms,
    int ExportRows, double ExportSeconds, double ExportRowsPerSecond, double ExportReadRowsPerSecond, double ExportFirstReadRowsPerSecond, double ExportFileMb, double ExportPeakWorkingSetMb, double ExportWorkingSetAtStartMb, string ExportPeakMethod);
