using System.Data.Common;
using Dapper;
using Engine.Conversations;
using Engine.Metrics;

namespace Engine.Persistence.Dashboard;

/// <summary>
/// Keeps the dashboard's rollups up to date: completed conversations and visits waiting with <c>rolled</c> set are read
/// in batches, turned into what they add by the pure <see cref="DashboardRollup"/> in their tenant's natural days, added
/// to the rollup tables and marked rolled, all in one transaction (a crash rolls a batch up again from the start). DB-4's
/// silences that reached 6 h with no message are counted as interruptions here too. One roll-up runs at a time across
/// servers (<see cref="Dialect.RollupLockSql"/>; SQLite's transactions are serial anyway).
/// </summary>
public sealed class DashboardRollups(Database database, TimeProvider time)
{
    public const int BatchSize = 500;

    /// <summary>Rolls up one batch of each kind; the number of conversations, visits and lapsed silences it took (0: all done).</summary>
    public async Task<int> RollUpBatchAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(database.Dialect.RollupLockSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var batch = new Batch(connection, transaction, database.Dialect, time.GetUtcNow(), cancellationToken);
        var taken = await batch.ConversationsAsync().ConfigureAwait(false) + await batch.VisitsAsync().ConfigureAwait(false) + await batch.LapsesAsync().ConfigureAwait(false);
        await batch.WriteAsync().ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return taken;
    }

    /// <summary>Rolls up everything waiting; the number taken.</summary>
    public async Task<int> RollUpAllAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        for (int taken; (taken = await RollUpBatchAsync(cancellationToken).ConfigureAwait(false)) > 0;) total += taken;
        return total;
    }

    /// <summary>
    /// The tenant's natural days changed (its time zone): its rollups are dropped and its history waits to be rolled up
    /// again in the new zone's days. Until the roll-up has caught up the dashboard shows part of the history.
    /// </summary>
    public async Task RollUpAgainAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(database.Dialect.RollupLockSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var table in new[] { "dashboard_days", "group_days", "group_answer_waits", "visitor_days", "visitor_day_counts", "visitor_wakeup" })
            await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE conversations SET rolled = 1 WHERE tenant_id = @tenantId AND live IS NULL", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE visits SET rolled = 1 WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class ConversationToRoll
    {
        public string TenantId { get; set; } = "";
        public string Id { get; set; } = "";
        public string VisitorId { get; set; } = "";
        public string? AccountId { get; set; }
        public string? AgentId { get; set; }
        public string? GroupId { get; set; }
        public long CreatedAt { get; set; }
        public long? AnsweredAt { get; set; }
        public long? EndedAt { get; set; }
        public string? EndReason { get; set; }
    }

    private sealed class MessageToRoll
    {
        public string ConversationId { get; set; } = "";
        public string SenderKind { get; set; } = "";
        public string? AgentId { get; set; }
        public long SentAt { get; set; }
    }

    private sealed class VisitToRoll
    {
        public string TenantId { get; set; } = "";
        public string Id { get; set; } = "";
        public string VisitorId { get; set; } = "";
        public string? AccountId { get; set; }
        public long At { get; set; }
    }

    private sealed class WatchRow
    {
        public string TenantId { get; set; } = "";
        public string VisitorId { get; set; } = "";
        public long WaitingSince { get; set; }
        public string? AccountId { get; set; }
        public int Interrupted { get; set; }

        public WakeUpWatch Watch => new(DateTimeOffset.FromUnixTimeMilliseconds(WaitingSince), AccountId, Interrupted != 0);
    }

    /// <summary>One transaction's roll-up: what it read, and the sums it adds, kept in memory until <see cref="WriteAsync"/>.</summary>
    private sealed class Batch(DbConnection connection, DbTransaction transaction, Dialect dialect, DateTimeOffset now, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, TimeZoneInfo> _zones = [];
        private readonly Dictionary<(string Tenant, DayKey Key), DayCounts> _days = [];
        private readonly Dictionary<(string Tenant, int Day, string Group), GroupDayCounts> _groups = [];
        private readonly Dictionary<(string Tenant, int Day, string Group, int Second), long> _waits = [];
        private readonly HashSet<(string Tenant, string Scope, string Visitor, int Day)> _visitors = [];
        private readonly Dictionary<(string Tenant, string Visitor), WakeUpWatch?> _watches = [];

        private CommandDefinition Command(string sql, object? parameters = null) => new(sql, parameters, transaction, cancellationToken: cancellationToken);

        public async Task<int> ConversationsAsync()
        {
            var rows = (await connection.QueryAsync<ConversationToRoll>(Command(
                """
                SELECT tenant_id AS TenantId, id AS Id, visitor_id AS VisitorId, account_id AS AccountId, agent_id AS AgentId, group_id AS GroupId,
                       created_at AS CreatedAt, answered_at AS AnsweredAt, ended_at AS EndedAt, end_reason AS EndReason
                FROM conversations WHERE rolled IS NOT NULL ORDER BY updated_at LIMIT @limit
                """, new { limit = BatchSize })).ConfigureAwait(false)).ToList();
            if (rows.Count == 0) return 0;
            var ids = rows.Select(r => r.Id).ToArray();
            var messages = (await connection.QueryAsync<MessageToRoll>(Command(
                $"SELECT conversation_id AS ConversationId, sender_kind AS SenderKind, agent_id AS AgentId, sent_at AS SentAt FROM messages WHERE {dialect.In("conversation_id", "ids")} ORDER BY conversation_id, seq",
                new { ids })).ConfigureAwait(false)).ToLookup(m => m.ConversationId);
            foreach (var row in rows)
            {
                var zone = await ZoneAsync(row.TenantId).ConfigureAwait(false);
                var facts = new ConversationFacts(row.Id, row.VisitorId, row.AccountId, row.AgentId, At(row.CreatedAt),
                    [.. messages[row.Id].Select(m => new MessageFact(SenderOf(m.SenderKind), At(m.SentAt), m.AgentId))]);
                var abandoned = row.AnsweredAt is null && row.EndReason is nameof(EndReason.CustomerLeft) or nameof(EndReason.AbandonedInQueue);
                var completed = new CompletedConversation(facts, row.GroupId, AtOrNull(row.AnsweredAt), AtOrNull(row.EndedAt), abandoned);
                var delta = DashboardRollup.OfConversation(completed, await WatchAsync(row.TenantId, row.VisitorId).ConfigureAwait(false), now, zone);
                _watches[(row.TenantId, row.VisitorId)] = delta.Watch;
                Add(row.TenantId, row.VisitorId, delta);
            }
            await MarkRolledAsync("conversations", rows.Select(r => (r.TenantId, r.Id))).ConfigureAwait(false);
            return rows.Count;
        }

        public async Task<int> VisitsAsync()
        {
            var rows = (await connection.QueryAsync<VisitToRoll>(Command(
                "SELECT tenant_id AS TenantId, id AS Id, visitor_id AS VisitorId, account_id AS AccountId, at AS At FROM visits WHERE rolled IS NOT NULL ORDER BY at LIMIT @limit",
                new { limit = BatchSize })).ConfigureAwait(false)).ToList();
            foreach (var row in rows) Add(row.TenantId, row.VisitorId, DashboardRollup.OfVisit(row.AccountId, At(row.At), await ZoneAsync(row.TenantId).ConfigureAwait(false)));
            await MarkRolledAsync("visits", rows.Select(r => (r.TenantId, r.Id))).ConfigureAwait(false);
            return rows.Count;
        }

        /// <summary>The rows of <paramref name="table"/> (conversations or visits, keyed by tenant and id) rolled up.</summary>
        private async Task MarkRolledAsync(string table, IEnumerable<(string TenantId, string Id)> keys)
        {
            foreach (var tenant in keys.GroupBy(k => k.TenantId))
                await connection.ExecuteAsync(Command($"UPDATE {table} SET rolled = NULL WHERE tenant_id = @tenantId AND {dialect.In("id", "ids")}",
                    new { tenantId = tenant.Key, ids = tenant.Select(k => k.Id).ToArray() })).ConfigureAwait(false);
        }

        /// <summary>DB-4: silences that reached 6 h while the visitor wrote nothing since.</summary>
        public async Task<int> LapsesAsync()
        {
            var rows = (await connection.QueryAsync<WatchRow>(Command(
                """
                SELECT tenant_id AS TenantId, visitor_id AS VisitorId, waiting_since AS WaitingSince, account_id AS AccountId, interrupted AS Interrupted
                FROM visitor_wakeup WHERE interrupted = 0 AND waiting_since <= @cutoff ORDER BY waiting_since LIMIT @limit
                """, new { cutoff = (now - WakeUp.Offline).ToUnixTimeMilliseconds(), limit = BatchSize })).ConfigureAwait(false)).ToList();
            var lapsed = 0;
            foreach (var row in rows)
            {
                // A conversation of this batch may have moved the watch on already.
                if (_watches.ContainsKey((row.TenantId, row.VisitorId))) continue;
                var watch = row.Watch;
                foreach (var v in DashboardRollup.OfLapse(watch, await ZoneAsync(row.TenantId).ConfigureAwait(false)))
                    _visitors.Add((row.TenantId, v.Scope, row.VisitorId, v.Day.DayNumber));
                _watches[(row.TenantId, row.VisitorId)] = watch with { Interrupted = true };
                lapsed++;
            }
            return lapsed;
        }

        private void Add(string tenant, string visitor, RollupDelta delta)
        {
            foreach (var (key, counts) in delta.Days)
                _days[(tenant, key)] = _days.TryGetValue((tenant, key), out var had) ? had.Add(counts) : counts;
            foreach (var g in delta.Groups)
            {
                var key = (tenant, g.Day.DayNumber, g.GroupId);
                _groups[key] = _groups.TryGetValue(key, out var had)
                    ? had with { Arrivals = had.Arrivals + g.Arrivals, Answered = had.Answered + g.Answered, Abandoned = had.Abandoned + g.Abandoned, AnswerWaitMs = had.AnswerWaitMs + g.AnswerWaitMs, HandleMs = had.HandleMs + g.HandleMs, Handled = had.Handled + g.Handled }
                    : g;
                if (g.WaitSecond is { } second) _waits[(tenant, g.Day.DayNumber, g.GroupId, second)] = _waits.GetValueOrDefault((tenant, g.Day.DayNumber, g.GroupId, second)) + 1;
            }
            foreach (var v in delta.Visitors) _visitors.Add((tenant, v.Scope, visitor, v.Day.DayNumber));
        }

        private async Task<TimeZoneInfo> ZoneAsync(string tenantId)
        {
            if (_zones.TryGetValue(tenantId, out var zone)) return zone;
            var id = await connection.QuerySingleOrDefaultAsync<string?>(Command("SELECT time_zone FROM tenants WHERE id = @tenantId", new { tenantId })).ConfigureAwait(false);
            return _zones[tenantId] = TimeZoneInfo.FindSystemTimeZoneById(id ?? Admin.TenantRow.DefaultTimeZone);
        }

        private async Task<WakeUpWatch?> WatchAsync(string tenantId, string visitorId)
        {
            if (_watches.TryGetValue((tenantId, visitorId), out var known)) return known;
            var row = await connection.QuerySingleOrDefaultAsync<WatchRow>(Command(
                "SELECT tenant_id AS TenantId, visitor_id AS VisitorId, waiting_since AS WaitingSince, account_id AS AccountId, interrupted AS Interrupted FROM visitor_wakeup WHERE tenant_id = @tenantId AND visitor_id = @visitorId",
                new { tenantId, visitorId })).ConfigureAwait(false);
            return row?.Watch;
        }

        public async Task WriteAsync()
        {
            await connection.ExecuteAsync(Command(
                """
                INSERT INTO dashboard_days (tenant_id, day, account_id, agent_id, visits, conversations, visitor_messages, agent_messages, counted, replied, first_response_ms)
                VALUES (@Tenant, @Day, @AccountId, @AgentId, @Visits, @Conversations, @VisitorMessages, @AgentMessages, @Counted, @Replied, @FirstResponseMs)
                ON CONFLICT (tenant_id, day, account_id, agent_id) DO UPDATE SET
                    visits = dashboard_days.visits + excluded.visits, conversations = dashboard_days.conversations + excluded.conversations,
                    visitor_messages = dashboard_days.visitor_messages + excluded.visitor_messages, agent_messages = dashboard_days.agent_messages + excluded.agent_messages,
                    counted = dashboard_days.counted + excluded.counted, replied = dashboard_days.replied + excluded.replied,
                    first_response_ms = dashboard_days.first_response_ms + excluded.first_response_ms
                """,
                _days.Select(d => new
                {
                    d.Key.Tenant, Day = d.Key.Key.Day.DayNumber, d.Key.Key.AccountId, d.Key.Key.AgentId, d.Value.Visits, d.Value.Conversations,
                    d.Value.VisitorMessages, d.Value.AgentMessages, d.Value.Counted, d.Value.Replied, d.Value.FirstResponseMs,
                }).ToList())).ConfigureAwait(false);
            await connection.ExecuteAsync(Command(
                """
                INSERT INTO group_days (tenant_id, day, group_id, arrivals, answered, abandoned, answer_wait_ms, handle_ms, handled)
                VALUES (@Tenant, @Day, @GroupId, @Arrivals, @Answered, @Abandoned, @AnswerWaitMs, @HandleMs, @Handled)
                ON CONFLICT (tenant_id, day, group_id) DO UPDATE SET
                    arrivals = group_days.arrivals + excluded.arrivals, answered = group_days.answered + excluded.answered,
                    abandoned = group_days.abandoned + excluded.abandoned, answer_wait_ms = group_days.answer_wait_ms + excluded.answer_wait_ms,
                    handle_ms = group_days.handle_ms + excluded.handle_ms, handled = group_days.handled + excluded.handled
                """,
                _groups.Select(g => new { g.Key.Tenant, g.Key.Day, GroupId = g.Key.Group, g.Value.Arrivals, g.Value.Answered, g.Value.Abandoned, g.Value.AnswerWaitMs, g.Value.HandleMs, g.Value.Handled }).ToList())).ConfigureAwait(false);
            await connection.ExecuteAsync(Command(
                """
                INSERT INTO group_answer_waits (tenant_id, day, group_id, second, answered) VALUES (@Tenant, @Day, @GroupId, @Second, @Answered)
                ON CONFLICT (tenant_id, day, group_id, second) DO UPDATE SET answered = group_answer_waits.answered + excluded.answered
                """,
                _waits.Select(w => new { w.Key.Tenant, w.Key.Day, GroupId = w.Key.Group, w.Key.Second, Answered = w.Value }).ToList())).ConfigureAwait(false);
            await WriteVisitorDaysAsync().ConfigureAwait(false);
            await WriteWatchesAsync().ConfigureAwait(false);
        }

        /// <summary>
        /// New visitor days, then the previous day of each row of the same visitor and scope from the earliest new day on
        /// (a day that came late, a conversation completed after a later one, sits between two it now links). The dashboard
        /// reads these rows' counts per day and previous day (<c>visitor_day_counts</c>): the rows from each earliest new day
        /// on are taken out of their counts before, and counted again with their links after.
        /// </summary>
        private async Task WriteVisitorDaysAsync()
        {
            if (_visitors.Count == 0) return;
            const string insert = "INSERT INTO visitor_days (tenant_id, scope, visitor_id, day) VALUES (@Tenant, @Scope, @Visitor, @Day) ON CONFLICT DO NOTHING";
            const string relink =
                """
                UPDATE visitor_days SET prev_day = (SELECT MAX(y.day) FROM visitor_days y WHERE y.tenant_id = visitor_days.tenant_id AND y.scope = visitor_days.scope AND y.visitor_id = visitor_days.visitor_id AND y.day < visitor_days.day)
                WHERE tenant_id = @Tenant AND scope = @Scope AND visitor_id = @Visitor AND day >= @Day
                """;
            var earliest = _visitors.GroupBy(v => (v.Tenant, v.Scope, v.Visitor)).Select(g => new { g.Key.Tenant, g.Key.Scope, g.Key.Visitor, Day = g.Min(v => v.Day) }).ToList();
            if (dialect.Kind == StoreKind.Postgres)
            {
                var from = new { tenants = earliest.Select(v => v.Tenant).ToArray(), scopes = earliest.Select(v => v.Scope).ToArray(), visitors = earliest.Select(v => v.Visitor).ToArray(), days = earliest.Select(v => v.Day).ToArray() };
                await connection.ExecuteAsync(Command(CountVisitorDays(taking: true), from)).ConfigureAwait(false);
                await connection.ExecuteAsync(Command(
                    "INSERT INTO visitor_days (tenant_id, scope, visitor_id, day) SELECT * FROM unnest(@tenants, @scopes, @visitors, @days) ON CONFLICT DO NOTHING",
                    new { tenants = _visitors.Select(v => v.Tenant).ToArray(), scopes = _visitors.Select(v => v.Scope).ToArray(), visitors = _visitors.Select(v => v.Visitor).ToArray(), days = _visitors.Select(v => v.Day).ToArray() })).ConfigureAwait(false);
                await connection.ExecuteAsync(Command(
                    """
                    UPDATE visitor_days x SET prev_day = (SELECT MAX(y.day) FROM visitor_days y WHERE y.tenant_id = x.tenant_id AND y.scope = x.scope AND y.visitor_id = x.visitor_id AND y.day < x.day)
                    FROM unnest(@tenants, @scopes, @visitors, @days) AS u(t, s, v, d)
                    WHERE x.tenant_id = u.t AND x.scope = u.s AND x.visitor_id = u.v AND x.day >= u.d
                    """, from)).ConfigureAwait(false);
                await connection.ExecuteAsync(Command(CountVisitorDays(taking: false), from)).ConfigureAwait(false);
                return;
            }
            await connection.ExecuteAsync(Command(CountVisitorDays(taking: true), earliest)).ConfigureAwait(false);
            await connection.ExecuteAsync(Command(insert, _visitors.Select(v => new { v.Tenant, v.Scope, v.Visitor, v.Day }).ToList())).ConfigureAwait(false);
            await connection.ExecuteAsync(Command(relink, earliest)).ConfigureAwait(false);
            await connection.ExecuteAsync(Command(CountVisitorDays(taking: false), earliest)).ConfigureAwait(false);
        }

        /// <summary>
        /// Takes the visitor days of each visitor and scope from its earliest new day on out of their counts
        /// (<paramref name="taking"/>) or adds them: by day and previous day (-1 for none). PostgreSQL gets every visitor
        /// and scope at once (arrays), SQLite one at a time.
        /// </summary>
        private string CountVisitorDays(bool taking) => $"""
            INSERT INTO visitor_day_counts (tenant_id, scope, day, prev_day, visitors)
            SELECT x.tenant_id, x.scope, x.day, COALESCE(x.prev_day, -1), {(taking ? "-" : "")}COUNT(*) FROM visitor_days x
            {(dialect.Kind == StoreKind.Postgres
                ? "JOIN unnest(@tenants, @scopes, @visitors, @days) AS u(t, s, v, d) ON x.tenant_id = u.t AND x.scope = u.s AND x.visitor_id = u.v AND x.day >= u.d"
                : "WHERE x.tenant_id = @Tenant AND x.scope = @Scope AND x.visitor_id = @Visitor AND x.day >= @Day")}
            GROUP BY x.tenant_id, x.scope, x.day, COALESCE(x.prev_day, -1)
            ON CONFLICT (tenant_id, scope, day, prev_day) DO UPDATE SET visitors = visitor_day_counts.visitors + excluded.visitors
            """;

        private async Task WriteWatchesAsync()
        {
            var ended = _watches.Where(w => w.Value is null).Select(w => new { Tenant = w.Key.Tenant, Visitor = w.Key.Visitor }).ToList();
            await connection.ExecuteAsync(Command("DELETE FROM visitor_wakeup WHERE tenant_id = @Tenant AND visitor_id = @Visitor", ended)).ConfigureAwait(false);
            var watched = _watches.Where(w => w.Value is not null).Select(w => new
            {
                Tenant = w.Key.Tenant, Visitor = w.Key.Visitor, Since = w.Value!.Since.ToUnixTimeMilliseconds(), w.Value.AccountId, Interrupted = w.Value.Interrupted ? 1 : 0,
            }).ToList();
            await connection.ExecuteAsync(Command(
                """
                INSERT INTO visitor_wakeup (tenant_id, visitor_id, waiting_since, account_id, interrupted) VALUES (@Tenant, @Visitor, @Since, @AccountId, @Interrupted)
                ON CONFLICT (tenant_id, visitor_id) DO UPDATE SET waiting_since = excluded.waiting_since, account_id = excluded.account_id, interrupted = excluded.interrupted
                """, watched)).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? AtOrNull(long? ms) => ms is { } v ? At(v) : null;

    private static MessageSender SenderOf(string kind) => kind switch
    {
        "visitor" => MessageSender.Visitor,
        "agent" => MessageSender.Agent,
        _ => MessageSender.System,
    };
}
