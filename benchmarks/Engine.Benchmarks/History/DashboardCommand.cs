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
/// finding the tenant's zone and today as every request does.
/// </summary>
internal sealed class DashboardCommand : IHarnessCommand
{
    /// <summary>The issue's targets on this machine: a dashboard read's P95.</summary>
    private const double DashboardTargetMs = 300;

    public string Summary => "times the dashboard's reads on the store the history command filled";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("runs", OptionKind.Integer, "measured runs of each query", "10"),
        new("warm-up", OptionKind.Integer, "unmeasured runs of each query first", "2", AllowZero: true),
        HistoryDatabase.StoreOption,
        HistoryDatabase.DataOption,
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var store = HistoryDatabase.Open(options);
        var database = store.Database;
        var migrate = Stopwatch.StartNew();
        var migrated = await Migrator.MigrateAsync(database, cancellationToken).ConfigureAwait(false);
        var migrateSeconds = Math.Round(migrate.Elapsed.TotalSeconds, 1);
        if (migrated.Count > 0) Console.WriteLine($"dashboard: applied migrations {string.Join(", ", migrated)} in {migrateSeconds} s");

        var tenant = await FilledTenantAsync(database, cancellationToken).ConfigureAwait(false);
        if (tenant is null)
        {
            Console.Error.WriteLine($"dashboard: the {store.Name} store at {store.Where} holds no history; fill it first with `history --store {store.Name}`");
            return 1;
        }
        Console.WriteLine($"dashboard: tenant {tenant.Id} on the {store.Name} store at {store.Where}: {tenant.Conversations:N0} conversations, {tenant.Visits:N0} visits; busiest account {tenant.AccountId}, busiest agent {tenant.AgentId}");

        var service = new DashboardService(new DashboardStore(database), new TenantStore(database), TimeProvider.System);
        var (zone, today) = await service.TodayAsync(tenant.Id, cancellationToken).ConfigureAwait(false);
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
        await dashboard.RunAsync(options.GetInt("warm-up"), options.GetInt("runs"), cancellationToken).ConfigureAwait(false);
        Console.Write(dashboard.Table("dashboard query", DashboardTargetMs));

        // The roll-up's check: the whole history's days add up to what the store holds.
        var whole = await service.ReportAsync(tenant.Id, DashboardPeriod.Of(PeriodKind.Custom, today, today.AddDays(-DashboardPeriod.MaxDays + 1), today), zone, null, cancellationToken).ConfigureAwait(false);

        var result = new DashboardResult(
            store.Name, store.Where, migrateSeconds, tenant.Conversations, whole.Figures.Conversations, tenant.Visits, whole.Figures.Visits,
            options.GetInt("runs"), dashboard.Percentile(0.5), dashboard.Percentile(0.95), dashboard.Percentile(1.0), dashboard.P95ByQuery());
        await HarnessOutput.WriteAsync("dashboard", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return 0;
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
    string Store, string Where, double MigrateSeconds, long StoreConversations, long DashboardConversations, long StoreVisits, long DashboardVisits,
    int RunsPerQuery, double DashboardP50Ms, double DashboardP95Ms, double DashboardMaxMs, IReadOnlyDictionary<string, double> DashboardQueryP95Ms);
