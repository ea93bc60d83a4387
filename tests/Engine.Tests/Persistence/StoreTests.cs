using System.Text;
using Dapper;
using Engine.Grains.Storage;
using Orleans.Storage;
using Engine.Persistence;

namespace Engine.Tests.Persistence;

/// <summary>The same suite on SQLite and on PostgreSQL.</summary>
public sealed class StoreTests
{
    private static readonly StateKey Grain = new("AgentGrain", "t1", "a1");
    private static readonly TimeProvider Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Migrations_run_once_and_a_second_run_changes_nothing(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        Assert.Empty(await Migrator.MigrateAsync(store.Database));
        await using var connection = await store.Database.OpenAsync();
        var versions = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(Migrator.Scripts().Select(s => (long)s.Version).Distinct(), versions);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM grain_state"));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Keying_conversations_by_tenant_keeps_every_record_and_live_state(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind, through: 7);
        await using (var connection = await store.Database.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO conversations (id, tenant_id, visitor_id, mode, group_id, agent_id, status, created_at, answered_at, updated_at, state, etag, live) "
                + "VALUES ('c1', 't1', 'v1', 'Online', 'g1', 'a1', 'Active', 1, 2, 3, @state, 4, 1), ('c2', 't1', 'v2', 'Online', 'g1', 'a1', 'Completed', 1, NULL, 5, NULL, NULL, NULL)",
                new { state = Encoding.UTF8.GetBytes("{}") });
        }
        Assert.Equal([8], await Migrator.MigrateAsync(store.Database, through: 8));

        await using var migrated = await store.Database.OpenAsync();
        Assert.Equal(["c1:Active:a1:4:1", "c2:Completed:a1::"], await migrated.QueryAsync<string>(
            "SELECT id || ':' || status || ':' || agent_id || ':' || COALESCE(CAST(etag AS TEXT), '') || ':' || COALESCE(CAST(live AS TEXT), '') FROM conversations ORDER BY id"));
        var storage = new SqlGrainStorage(store.Database, store.Commit, TimeProvider.System);
        Assert.Equal(("{}", "4"), (Encoding.UTF8.GetString((await storage.ReadAsync(new StateKey("ConversationGrain", "t1", "c1"), default))!.Payload),
            (await storage.ReadAsync(new StateKey("ConversationGrain", "t1", "c1"), default))!.Etag));
        Assert.Equal([new StateKey("ConversationGrain", "t1", "c1")], await storage.ListAsync("ConversationGrain", default));
        await migrated.ExecuteAsync("INSERT INTO conversations (id, tenant_id, visitor_id, mode, status, created_at, updated_at) VALUES ('c2', 't2', 'v9', 'Online', 'Queued', 9, 9)");
        Assert.Equal(2, await migrated.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE id = 'c2'"));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_skill_groups_row_keeps_its_name_and_mode_when_its_cap_and_overflow_leave_for_the_grain(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind, through: 8);
        await using (var connection = await store.Database.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 'T', 1, 1)");
            await connection.ExecuteAsync(
                "INSERT INTO skill_groups (id, tenant_id, name, mode, reception_cap, overflow_group_ids, created_at, updated_at) VALUES ('g1', 't1', 'Web chat', 'online', 3, '[]', 1, 2)");
        }
        Assert.Equal([9], await Migrator.MigrateAsync(store.Database, through: 9));
        var group = await new Engine.Persistence.Admin.SkillGroupStore(store.Database).GetAsync("t1", "g1", default);
        Assert.Equal(("Web chat", "online", 2L), (group!.Name, group.Mode, group.UpdatedAt));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_configuration_grains_write_carries_the_audit_record_of_its_change_and_a_refused_write_carries_none(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var storage = new SqlGrainStorage(store.Database, store.Commit, Clock);
        var tenant = new StateKey("TenantGrain", "t1", "tenant");
        var config = new Engine.Grains.Routing.TenantState();
        static Engine.Persistence.Admin.AuditRecord Change(string id) => new(id, "t1", 1, "admin1", "admin", "session", "203.0.113.1", "PUT", "/settings/{mode}", "settings", "online", "{}");

        string first;
        using (Engine.Persistence.Admin.Audit.Begin(Change("r1"))) first = await storage.WriteAsync(tenant, config, Bytes("one"), null, default);
        // A routing write (outside any admin's change) and an agent's state (not configuration) carry none.
        var second = await storage.WriteAsync(tenant, config, Bytes("two"), first, default);
        using (Engine.Persistence.Admin.Audit.Begin(Change("r2"))) await storage.WriteAsync(Grain, "agent", Bytes("agent"), null, default);
        // A write refused for its ETag stores nothing, and so no record.
        using (Engine.Persistence.Admin.Audit.Begin(Change("r3")))
        {
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(tenant, config, Bytes("three"), first, default).AsTask());
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(tenant, config, Bytes("four"), null, default).AsTask());
        }
        // Several writes of one change leave one record.
        using (Engine.Persistence.Admin.Audit.Begin(Change("r4")))
        {
            var third = await storage.WriteAsync(tenant, config, Bytes("five"), second, default);
            await storage.WriteAsync(tenant, config, Bytes("six"), third, default);
        }

        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(["r1:online:203.0.113.1", "r4:online:203.0.113.1"],
            await connection.QueryAsync<string>("SELECT id || ':' || target_id || ':' || address FROM audit_records ORDER BY id"));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task FL6_Every_saved_version_of_a_flow_stays_readable_after_edits_and_after_the_flow_is_deleted(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using (var connection = await store.Database.OpenAsync())
            await connection.ExecuteAsync("INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 'T', 1, 1)");
        var flows = new Engine.Persistence.Admin.FlowStore(store.Database);
        var first = new Engine.Flows.FlowDefinition([new Engine.Flows.StartModule("s", "S", "e"), new Engine.Flows.EndModule("e", "E")]);
        var second = new Engine.Flows.FlowDefinition([new Engine.Flows.StartModule("s", "S", "e"), new Engine.Flows.EndModule("e", "Bye")]);
        await flows.InsertAsync(new Engine.Persistence.Admin.FlowRow
        {
            Id = "f1", TenantId = "t1", Name = "F", Mode = "online", Status = "unpublished", Version = 1, Definition = Engine.Flows.FlowJson.Write(first), CreatedAt = 1, UpdatedAt = 1,
        }, default);
        await flows.EditAsync("t1", "f1", "F", Engine.Flows.FlowJson.Write(second), publish: false, expectedVersion: 1, now: 2, default);
        await flows.DeleteAsync("t1", "f1", default);

        var versions = new Engine.Persistence.Admin.StoredFlowVersions(store.Database);
        Assert.Equal("E", (await versions.GetAsync("t1", "f1", 1, default))!.Modules[1].Label);
        Assert.Equal("Bye", (await versions.GetAsync("t1", "f1", 2, default))!.Modules[1].Label);
        Assert.Null(await versions.GetAsync("t1", "f1", 3, default));
        Assert.Null(await versions.GetAsync("t2", "f1", 1, default));
    }

    [Fact]
    public void A_tenant_state_stored_with_each_groups_cap_and_overflow_reads_back_as_its_directory_of_modes()
    {
        const string stored = """{"ModeSettings":{},"Groups":{"g1":{"Mode":"Phone","ReceptionCap":1,"OverflowGroupIds":["g2"]},"g2":{"Mode":"Phone","ReceptionCap":1,"OverflowGroupIds":[]}}}""";
        var state = System.Text.Json.JsonSerializer.Deserialize(stored, EngineJsonContext.Default.TenantState)!;
        Assert.Equal(new Engine.Grains.Routing.GroupEntry(Engine.Routing.ServiceMode.Phone), state.Groups["g1"]);
        Assert.Equal(["g1", "g2"], state.Groups.Keys.Order());
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Grain_state_round_trips_and_a_stale_etag_is_a_conflict(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var storage = new SqlGrainStorage(store.Database, store.Commit, Clock);
        Assert.Null(await storage.ReadAsync(Grain, default));

        var first = await storage.WriteAsync(Grain, "one", Bytes("one"), null, default);
        var second = await storage.WriteAsync(Grain, "two", Bytes("two"), first, default);
        var read = await storage.ReadAsync(Grain, default);
        Assert.Equal(("two", second), (Encoding.UTF8.GetString(read!.Payload), read.Etag));

        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(Grain, "three", Bytes("three"), first, default).AsTask());
        Assert.Contains(second, stale.Message);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(Grain, "again", Bytes("again"), null, default).AsTask());
        Assert.Equal("two", Encoding.UTF8.GetString((await storage.ReadAsync(Grain, default))!.Payload));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(Grain, "", first, default).AsTask());
        await storage.ClearAsync(Grain, "", second, default);
        Assert.Null(await storage.ReadAsync(Grain, default));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Of_writers_racing_from_the_same_etag_exactly_one_wins(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var storage = new SqlGrainStorage(store.Database, store.Commit, Clock);
        var etag = await storage.WriteAsync(Grain, "start", Bytes("start"), null, default);
        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await storage.WriteAsync(Grain, "w" + i, Bytes("w" + i), etag, default);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));
        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Many_parallel_writes_share_transactions_and_every_acknowledged_write_is_stored(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var storage = new SqlGrainStorage(store.Database, store.Commit, Clock);
        const int grains = 400;
        await Task.WhenAll(Enumerable.Range(0, grains).Select(i => Task.Run(async () =>
        {
            var id = Grain with { Key = "a" + i };
            var etag = await storage.WriteAsync(id, "", Bytes("v1-" + i), null, default);
            await storage.WriteAsync(id, "", Bytes("v2-" + i), etag, default);
        })));
        Assert.True(store.Commit.Batches < store.Commit.Writes, $"{store.Commit.Writes} writes in {store.Commit.Batches} transactions");
        await using var connection = await store.Database.OpenAsync();
        var payloads = (await connection.QueryAsync<byte[]>("SELECT payload FROM grain_state")).Select(Encoding.UTF8.GetString).ToHashSet();
        Assert.Equal(Enumerable.Range(0, grains).Select(i => "v2-" + i).ToHashSet(), payloads);
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_failed_statement_fails_its_batch_undone_and_the_next_batch_commits(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        const string insert = "INSERT INTO agent_status_history (tenant_id, agent_id, at, from_status, to_status, reason) VALUES (@Tenant, @Agent, 1, 'Idle', 'Busy', @Reason)";
        // Both wait in the queue together, so that they share one transaction.
        var good = store.Commit.RunAsync(new SqlWrite(insert, [("@Tenant", "t1"), ("@Agent", "a1"), ("@Reason", "kept?")]));
        var bad = store.Commit.RunAsync(new SqlWrite(insert, [("@Tenant", "t1"), ("@Agent", "a2"), ("@Reason", null)]));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => bad);
        var goodFailed = await Record.ExceptionAsync(() => good);

        Assert.Equal(1, await store.Commit.RunAsync(new SqlWrite(insert, [("@Tenant", "t1"), ("@Agent", "a3"), ("@Reason", "after")])));
        await using var connection = await store.Database.OpenAsync();
        var agents = (await connection.QueryAsync<string>("SELECT agent_id FROM agent_status_history ORDER BY agent_id")).ToList();
        Assert.Equal(goodFailed is null ? ["a1", "a3"] : ["a3"], agents);
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_large_state_and_a_small_one_after_it_are_each_stored_as_written(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var storage = new SqlGrainStorage(store.Database, store.Commit, Clock);
        var large = Enumerable.Range(0, 20_000).Select(i => (byte)(i % 251)).ToArray();
        var small = Bytes("small é 中文");
        await storage.WriteAsync(Grain with { Key = "large" }, "", large, null, default);
        await storage.WriteAsync(Grain with { Key = "small" }, "", small, null, default);

        Assert.Equal(large, (await storage.ReadAsync(Grain with { Key = "large" }, default))!.Payload);
        Assert.Equal(small, (await storage.ReadAsync(Grain with { Key = "small" }, default))!.Payload);
    }

    [Fact]
    public async Task The_sqlite_writer_stores_every_kind_of_value_as_bound_and_an_empty_text_as_empty_not_null()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite);
        await using (var setup = await store.Database.OpenAsync())
        {
            await setup.ExecuteAsync("CREATE TABLE bound (k INTEGER, t TEXT, e TEXT, n TEXT, i INTEGER, b INTEGER, d REAL, blob BLOB, none BLOB, memory BLOB)");
        }
        const string insert = "INSERT INTO bound VALUES (@K, @T, @E, @N, @I, @B, @D, @Blob, @None, @Memory)";
        // A text longer than the writer's encoding buffer, then a short one in the buffer it grew.
        var texts = new[] { new string('é', 5000) + "中文", "small é 中文" };
        for (var k = 0; k < texts.Length; k++)
        {
            Assert.Equal(1, await store.Commit.RunAsync(new SqlWrite(insert,
            [
                ("@K", (long)k), ("@T", texts[k]), ("@E", ""), ("@N", null), ("@I", 7 + k), ("@B", true), ("@D", 0.5),
                ("@Blob", Bytes(texts[k])), ("@None", Array.Empty<byte>()), ("@Memory", new ReadOnlyMemory<byte>(Bytes("memory"), 1, 4)),
            ])));
        }

        await using var connection = await store.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(string T, string E, string TypeOfE, string TypeOfN, long I, long B, double D, byte[] Blob, string TypeOfNone, byte[] Memory)>(
            "SELECT t, e, typeof(e), typeof(n), i, b, d, blob, typeof(none), memory FROM bound ORDER BY k")).ToList();
        for (var k = 0; k < texts.Length; k++)
        {
            Assert.Equal((texts[k], "", "text", "null", 7L + k, 1L, 0.5, "blob"), (rows[k].T, rows[k].E, rows[k].TypeOfE, rows[k].TypeOfN, rows[k].I, rows[k].B, rows[k].D, rows[k].TypeOfNone));
            Assert.Equal(Bytes(texts[k]), rows[k].Blob);
            Assert.Equal(Bytes("emor"), rows[k].Memory);
        }
    }

    [Fact]
    public async Task The_sqlite_wal_starts_again_from_its_beginning_under_steady_writes_instead_of_growing()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite);
        var storage = new SqlGrainStorage(store.Database, store.Commit, Clock);
        // About ten thousand pages of new rows, in rounds like a steady load: far more than the WAL may hold.
        var payload = new byte[4000];
        for (var round = 0; round < 100; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
                storage.WriteAsync(Grain with { Key = $"r{round}-{i}" }, "", payload, null, default).AsTask()));
        }

        var wal = new FileInfo(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(store.Database.ConnectionString).DataSource + "-wal");
        const long frame = 4096 + 24;
        Assert.True(wal.Length < (SqliteCheckpointer.WriterCheckpointsAt + 2000) * frame, $"the WAL grew to {wal.Length / frame} frames");
        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(10_000, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM grain_state"));
    }
}

public sealed class HistoryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_resent_message_with_the_same_client_id_is_stored_exactly_once(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var history = new HistoryStore(store.Commit);
        var message = new StoredMessage("t1", "c1", 1, "visitor", null, "text", "你好", T0, "client-1");
        var sends = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => history.AppendMessageAsync(message with { Seq = 1 + i })));
        Assert.Equal(1, sends.Count(stored => stored));
        Assert.True(await history.AppendMessageAsync(message with { Seq = 9, ClientMessageId = "client-2" }));
        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE conversation_id = 'c1'"));
        Assert.Equal("你好", await connection.ExecuteScalarAsync<string>("SELECT content FROM messages WHERE client_message_id = 'client-1'"));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_conversation_is_one_row_of_record_and_live_state_and_completion_keeps_the_record(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var storage = StorageOf(store);
        var history = new HistoryStore(store.Commit);
        var grain = C1;
        var conversation = Queued("c1", "v1", "g1", T0);
        var etag = await storage.WriteAsync(grain, conversation, Encoding.UTF8.GetBytes("queued"), null, default);
        conversation.Offer("a1", T0.AddSeconds(1), null);
        conversation.Answer("a1", T0.AddSeconds(2));
        etag = await storage.WriteAsync(grain, conversation, Encoding.UTF8.GetBytes("active"), etag, default);
        await history.AppendStatusChangeAsync("t1", "a1", Engine.Agents.AgentStatus.Idle, Engine.Agents.AgentStatus.Busy, "answered", T0.AddSeconds(2));

        await using var connection = await store.Database.OpenAsync();
        var row = await connection.QuerySingleAsync<(string Status, string AgentId, long AnsweredAt)>("SELECT status, agent_id, answered_at FROM conversations WHERE id = 'c1'");
        Assert.Equal(("Active", "a1", T0.AddSeconds(2).ToUnixTimeMilliseconds()), row);
        Assert.Equal(("active", etag), (Encoding.UTF8.GetString((await storage.ReadAsync(grain, default))!.Payload), (await storage.ReadAsync(grain, default))!.Etag));
        Assert.Equal([grain], await storage.ListAsync("ConversationGrain", default));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM agent_status_history WHERE agent_id = 'a1' AND to_status = 'Busy'"));

        // A stale ETag is a conflict here too, and changes nothing.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(grain, conversation, Encoding.UTF8.GetBytes("stale"), "1", default).AsTask());
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(grain, conversation, Encoding.UTF8.GetBytes("again"), null, default).AsTask());

        conversation.End("a1", T0.AddSeconds(5));
        conversation.Complete(T0.AddSeconds(6));
        await storage.ClearAsync(grain, conversation, etag, default);
        Assert.Null(await storage.ReadAsync(grain, default));
        Assert.Empty(await storage.ListAsync("ConversationGrain", default));
        var record = await connection.QuerySingleAsync<(string Status, long EndedAt)>("SELECT status, ended_at FROM conversations WHERE id = 'c1'");
        Assert.Equal(("Completed", T0.AddSeconds(5).ToUnixTimeMilliseconds()), record);
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_completed_conversations_record_is_never_taken_over_and_another_tenant_keeps_its_own_under_the_same_id(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var (storage, grain, conversation, etag) = await QueuedOnRecordAsync(store);
        conversation.Offer("a1", T0.AddSeconds(1), null);
        conversation.Answer("a1", T0.AddSeconds(2));
        conversation.End("a1", T0.AddSeconds(3));
        conversation.Complete(T0.AddSeconds(4));
        await storage.ClearAsync(grain, conversation, etag, default);

        // The same id started again in the same tenant is a conflict and leaves the completed record as it was.
        var again = Queued("c1", "v2", "g2", T0.AddMinutes(1));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(grain, again, Encoding.UTF8.GetBytes("{}"), null, default).AsTask());
        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(("t1", "v1", "g1", "Completed"), await connection.QuerySingleAsync<(string, string, string, string)>(
            "SELECT tenant_id, visitor_id, group_id, status FROM conversations WHERE id = 'c1'"));

        // Another tenant's conversation under the same id is a record of its own.
        var other = new StateKey("ConversationGrain", "t2", "c1");
        await storage.WriteAsync(other, again, Encoding.UTF8.GetBytes("{}"), null, default);
        Assert.Equal(["t1:v1:Completed", "t2:v2:Queued"], await connection.QueryAsync<string>(
            "SELECT tenant_id || ':' || visitor_id || ':' || status FROM conversations WHERE id = 'c1' ORDER BY tenant_id"));
        Assert.Equal([other], await storage.ListAsync("ConversationGrain", default));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_conversations_record_and_live_rows_follow_its_agent_when_it_moves_and_saves_between_keep_it(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var (storage, grain, conversation, etag) = await QueuedOnRecordAsync(store);
        conversation.Offer("a1", T0.AddSeconds(1), null);
        etag = await storage.WriteAsync(grain, conversation, Encoding.UTF8.GetBytes("{}"), etag, default);
        await using var connection = await store.Database.OpenAsync();
        Task<string?> AgentOnRecord() => connection.ExecuteScalarAsync<string?>("SELECT agent_id FROM conversations WHERE id = 'c1'");
        Assert.Equal("a1", await AgentOnRecord());

        // The offer timed out (AS-4) and went to a2: the record and the live rows name a2 alone.
        conversation.MissOffer(T0.AddSeconds(21));
        conversation.Offer("a2", T0.AddSeconds(21), null);
        var state = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(conversation, EngineJsonContext.Default.ConversationState);
        etag = await storage.WriteAsync(grain, conversation, state, etag, default);
        Assert.Equal("a2", await AgentOnRecord());
        Assert.Empty(await storage.HeldByAsync("t1", "a1", default));
        Assert.Equal("c1", Assert.Single(await storage.HeldByAsync("t1", "a2", default)).Id);

        // Saves that do not move it keep it, also from a state read afresh (which knows nothing of what was stored).
        conversation.Answer("a2", T0.AddSeconds(22));
        etag = await storage.WriteAsync(grain, conversation, state, etag, default);
        Assert.Equal(("Active", "a2", 1L), await connection.QuerySingleAsync<(string, string, long)>("SELECT status, agent_id, live FROM conversations WHERE id = 'c1'"));
        Assert.Equal("c1", Assert.Single(await storage.HeldByAsync("t1", "a2", default)).Id);
        var reread = System.Text.Json.JsonSerializer.Deserialize(state, EngineJsonContext.Default.ConversationState)!;
        reread.Answer("a2", T0.AddSeconds(22));
        reread.End("a2", T0.AddSeconds(30));
        etag = await storage.WriteAsync(grain, reread, state, etag, default);
        var record = await connection.QuerySingleAsync<(string Status, string AgentId, long Live)>("SELECT status, agent_id, live FROM conversations WHERE id = 'c1'");
        Assert.Equal(("Ended", "a2", 1L), record);

        reread.Complete(T0.AddSeconds(31));
        await storage.ClearAsync(grain, reread, etag, default);
        Assert.Empty(await storage.HeldByAsync("t1", "a2", default));
        Assert.Equal(("Completed", "a2"), await connection.QuerySingleAsync<(string, string)>("SELECT status, agent_id FROM conversations WHERE id = 'c1'"));
        Assert.Null(await connection.ExecuteScalarAsync<long?>("SELECT live FROM conversations WHERE id = 'c1'"));
    }

    /// <summary>Conversation c1 of tenant t1, the grain most of these tests store.</summary>
    private static readonly StateKey C1 = new("ConversationGrain", "t1", "c1");

    private static SqlGrainStorage StorageOf(TestStore store) => new(store.Database, store.Commit, TimeProvider.System);

    /// <summary>c1 of t1 waiting in g1, as its first save stored it.</summary>
    private static async Task<(SqlGrainStorage Storage, StateKey Grain, Engine.Conversations.ConversationState Conversation, string Etag)> QueuedOnRecordAsync(TestStore store)
    {
        var storage = StorageOf(store);
        var conversation = Queued("c1", "v1", "g1", T0);
        return (storage, C1, conversation, await storage.WriteAsync(C1, conversation, Encoding.UTF8.GetBytes("{}"), null, default));
    }

    /// <summary>A new conversation waiting in a group's queue.</summary>
    private static Engine.Conversations.ConversationState Queued(string id, string visitorId, string groupId, DateTimeOffset at)
    {
        var conversation = new Engine.Conversations.ConversationState();
        conversation.Create(id, visitorId, Engine.Routing.ServiceMode.Online, at);
        conversation.TransferTo(groupId, at);
        return conversation;
    }
}
