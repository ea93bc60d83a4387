using Dapper;
using Engine.Metrics;

namespace Engine.Persistence.Dashboard;

/// <summary>The additive figures summed over a natural day (<see cref="Day"/>) or over an agent's period (<see cref="AgentId"/>).</summary>
public sealed class DaySums
{
    public int Day { get; set; }
    public string AgentId { get; set; } = "";
    public long Visits { get; set; }
    public long Conversations { get; set; }
    public long VisitorMessages { get; set; }
    public long AgentMessages { get; set; }
    public long Counted { get; set; }
    public long Replied { get; set; }
    public long FirstResponseMs { get; set; }

    public DayCounts Counts => new(Visits, Conversations, VisitorMessages, AgentMessages, Counted, Replied, FirstResponseMs);
}

/// <summary>A skill group's figures over a period.</summary>
public sealed class GroupSums
{
    public string GroupId { get; set; } = "";
    public long Arrivals { get; set; }
    public long Answered { get; set; }
    public long Abandoned { get; set; }
    public long AnswerWaitMs { get; set; }
    public long HandleMs { get; set; }
    public long Handled { get; set; }
}

/// <summary>A skill group's conversations that arrived in the last hour: how many, and the handle time of those already handled.</summary>
public sealed class GroupHour
{
    public string GroupId { get; set; } = "";
    public long Arrivals { get; set; }
    public long Handled { get; set; }
    public long HandleMs { get; set; }
}

/// <summary>
/// The dashboard's reads (DB-1..DB-5), all over the rollups <see cref="DashboardRollups"/> keeps, by natural day numbers
/// (<see cref="DateOnly.DayNumber"/>) of the tenant's zone, both ends included; and the last hour's arrivals per group
/// from the records. A period's distinct visitors of a scope are its visitor days whose visitor had no earlier day in the
/// period (<c>prev_day</c> before its first day), summed from their counts per day and previous day
/// (<c>visitor_day_counts</c>, -1 for none) rather than counted one by one.
/// </summary>
public sealed class DashboardStore(Database database)
{
    public async Task<IReadOnlyList<DaySums>> DaysAsync(string tenantId, int from, int to, string? accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<DaySums>(new CommandDefinition(
            """
            SELECT day AS Day, SUM(visits) AS Visits, SUM(conversations) AS Conversations, SUM(visitor_messages) AS VisitorMessages,
                   SUM(agent_messages) AS AgentMessages, SUM(counted) AS Counted, SUM(replied) AS Replied, SUM(first_response_ms) AS FirstResponseMs
            FROM dashboard_days WHERE tenant_id = @tenantId AND day >= @from AND day <= @to AND (@accountId IS NULL OR account_id = @accountId)
            GROUP BY day ORDER BY day
            """, new { tenantId, from, to, accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>DB-5's additive figures per agent (conversations without an agent left out).</summary>
    public async Task<IReadOnlyList<DaySums>> AgentsAsync(string tenantId, int from, int to, string? accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<DaySums>(new CommandDefinition(
            """
            SELECT agent_id AS AgentId, SUM(conversations) AS Conversations, SUM(visitor_messages) AS VisitorMessages, SUM(agent_messages) AS AgentMessages,
                   SUM(counted) AS Counted, SUM(replied) AS Replied, SUM(first_response_ms) AS FirstResponseMs
            FROM dashboard_days WHERE tenant_id = @tenantId AND day >= @from AND day <= @to AND (@accountId IS NULL OR account_id = @accountId) AND agent_id <> ''
            GROUP BY agent_id
            """, new { tenantId, from, to, accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>The distinct visitors of a scope over the period.</summary>
    public async Task<long> VisitorsAsync(string tenantId, string scope, int from, int to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT CAST(COALESCE(SUM(visitors), 0) AS BIGINT) FROM visitor_day_counts WHERE tenant_id = @tenantId AND scope = @scope AND day >= @from AND day <= @to AND prev_day < @from",
            new { tenantId, scope, from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The distinct visitors of a scope on each day of the period (days with none left out).</summary>
    public async Task<IReadOnlyDictionary<int, long>> VisitorsPerDayAsync(string tenantId, string scope, int from, int to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(int Day, long Count)>(new CommandDefinition(
            """
            SELECT day, CAST(SUM(visitors) AS BIGINT) FROM visitor_day_counts WHERE tenant_id = @tenantId AND scope = @scope AND day >= @from AND day <= @to
            GROUP BY day HAVING SUM(visitors) > 0
            """,
            new { tenantId, scope, from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Day, r => r.Count);
    }

    /// <summary>DB-5's consulting visitors per agent over the period: the scopes under <paramref name="prefix"/>, by agent id.</summary>
    public async Task<IReadOnlyDictionary<string, long>> VisitorsPerScopeAsync(string tenantId, string prefix, int from, int to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Scope, long Count)>(new CommandDefinition(
            """
            SELECT scope, CAST(SUM(visitors) AS BIGINT) FROM visitor_day_counts
            WHERE tenant_id = @tenantId AND scope >= @prefix AND scope < @end AND day >= @from AND day <= @to AND prev_day < @from
            GROUP BY scope HAVING SUM(visitors) > 0
            """, new { tenantId, prefix, end = prefix + "\uffff", from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Scope[prefix.Length..], r => r.Count);
    }

    public async Task<IReadOnlyList<GroupSums>> GroupsAsync(string tenantId, int from, int to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<GroupSums>(new CommandDefinition(
            """
            SELECT group_id AS GroupId, SUM(arrivals) AS Arrivals, SUM(answered) AS Answered, SUM(abandoned) AS Abandoned,
                   SUM(answer_wait_ms) AS AnswerWaitMs, SUM(handle_ms) AS HandleMs, SUM(handled) AS Handled
            FROM group_days WHERE tenant_id = @tenantId AND day >= @from AND day <= @to GROUP BY group_id
            """, new { tenantId, from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>Each group's answered conversations by whole seconds of wait over the period.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<(int Second, long Answered)>>> AnswerWaitsAsync(string tenantId, int from, int to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string GroupId, int Second, long Answered)>(new CommandDefinition(
            "SELECT group_id, second, SUM(answered) FROM group_answer_waits WHERE tenant_id = @tenantId AND day >= @from AND day <= @to GROUP BY group_id, second",
            new { tenantId, from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.GroupBy(r => r.GroupId).ToDictionary(g => g.Key, g => (IReadOnlyList<(int, long)>)[.. g.Select(r => (r.Second, r.Answered)).OrderBy(r => r.Item1)]);
    }

    /// <summary>
    /// Each group's conversations created since <paramref name="since"/> (unix ms; the last hour's arrivals, live ones
    /// included) and, of those already handled, the total handle time (answer to end).
    /// </summary>
    public async Task<IReadOnlyList<GroupHour>> LastHourAsync(string tenantId, long since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<GroupHour>(new CommandDefinition(
            """
            SELECT group_id AS GroupId, COUNT(*) AS Arrivals,
                   SUM(CASE WHEN answered_at IS NOT NULL AND ended_at IS NOT NULL THEN 1 ELSE 0 END) AS Handled,
                   SUM(CASE WHEN answered_at IS NOT NULL AND ended_at IS NOT NULL THEN ended_at - answered_at ELSE 0 END) AS HandleMs
            FROM conversations WHERE tenant_id = @tenantId AND created_at >= @since AND group_id IS NOT NULL GROUP BY group_id
            """, new { tenantId, since }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>
    /// MK-8's friends added in [<paramref name="from"/>, <paramref name="to"/>) (unix ms) per agent and quarter hour
    /// (unix ms / 900,000: every zone's days begin on a quarter hour), of one account or all.
    /// </summary>
    public async Task<IReadOnlyList<(string AgentId, long Quarter, long Friends)>> FriendsAsync(string tenantId, long from, long to, string? accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<(string, long, long)>(new CommandDefinition(
            """
            SELECT agent_id, added_at / 900000, COUNT(*) FROM marketing_friends
            WHERE tenant_id = @tenantId AND added_at >= @from AND added_at < @to AND (@accountId IS NULL OR account_id = @accountId)
            GROUP BY agent_id, added_at / 900000
            """, new { tenantId, from, to, accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>The names of the tenant's people among <paramref name="ids"/> (deleted ones too: records outlive them).</summary>
    public async Task<IReadOnlyDictionary<string, string>> PeopleAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return new Dictionary<string, string>();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Name)>(new CommandDefinition(
            $"SELECT id, name FROM users WHERE tenant_id = @tenantId AND {database.Dialect.In("id", "ids")}",
            new { tenantId, ids = ids.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Id, r => r.Name);
    }

    /// <summary>The names of skill groups among <paramref name="ids"/>, a marketing account's group named as its account.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GroupNamesAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return new Dictionary<string, string>();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Name)>(new CommandDefinition(
            $"""
            SELECT id, name FROM skill_groups WHERE tenant_id = @tenantId AND {database.Dialect.In("id", "ids")}
            UNION ALL SELECT id, name FROM marketing_accounts WHERE tenant_id = @tenantId AND {database.Dialect.In("id", "ids")}
            """, new { tenantId, ids = ids.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First().Name);
    }
}
