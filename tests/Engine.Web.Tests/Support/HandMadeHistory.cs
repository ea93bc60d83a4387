using Dapper;
using Engine.Persistence;
using Engine.Persistence.Dashboard;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests.Support;

/// <summary>
/// A tenant's history, written straight into the store as the engine keeps it — completed conversations waiting for the
/// roll-up with their messages, and visits — for the dashboard's tests (the REST API's and the page's), which roll it up
/// with the real roll-up (<see cref="RollUpAsync"/>) and read the answers they know.
/// </summary>
public sealed class HandMadeHistory(Database database, string tenantId)
{
    private static long _order;

    public static HandMadeHistory Of(WebApplicationFactory<Program> factory, string tenantId) => new(factory.Services.GetRequiredService<Database>(), tenantId);

    /// <summary>Rolls up everything written so far, as the engine's roll-up service does.</summary>
    public static Task RollUpAsync(WebApplicationFactory<Program> factory) => factory.Services.GetRequiredService<DashboardRollups>().RollUpAllAsync();

    /// <summary>A visitor's message at a time.</summary>
    public static (string Sender, DateTimeOffset At) V(DateTimeOffset at) => ("visitor", at);

    /// <summary>An agent's message at a time.</summary>
    public static (string Sender, DateTimeOffset At) A(DateTimeOffset at) => ("agent", at);

    /// <summary>A completed conversation with its messages, queued for the roll-up; completions come in the order written.</summary>
    public async Task ConversationAsync(
        string id, string visitor, string? account, string? agent, params (string Sender, DateTimeOffset At)[] messages)
        => await ConversationAsync(id, visitor, account, agent, null, messages.Min(m => m.At), null, messages);

    public async Task ConversationAsync(string id, string visitor, string? account, string? agent, string? group, DateTimeOffset created,
        DateTimeOffset? answered, (string Sender, DateTimeOffset At)[] messages, string endReason = "AgentEnded", DateTimeOffset? endedAt = null)
    {
        // Conversation ids are unique across tenants, as the engine's are.
        id = $"{tenantId}-{id}";
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var seq = 0;
        foreach (var (sender, at) in messages.OrderBy(m => m.At))
            await connection.ExecuteAsync(
                "INSERT INTO messages (conversation_id, seq, tenant_id, sender_kind, agent_id, kind, content, sent_at) VALUES (@id, @seq, @tenantId, @sender, @agentId, 'text', 'hi', @at)",
                new { id, seq = ++seq, tenantId, sender, agentId = sender == "agent" ? agent : null, at = at.ToUnixTimeMilliseconds() }, transaction);
        var ended = endedAt ?? (messages.Length == 0 ? created : messages.Max(m => m.At));
        await connection.ExecuteAsync(
            """
            INSERT INTO conversations (id, tenant_id, account_id, visitor_id, mode, group_id, agent_id, status, created_at, answered_at, ended_at, end_reason, updated_at, rolled)
            VALUES (@id, @tenantId, @account, @visitor, 'Online', @group, @agent, 'Completed', @created, @answered, @ended, @endReason, @order, 1)
            """,
            new
            {
                id, tenantId, account, visitor, group, agent, created = created.ToUnixTimeMilliseconds(), answered = answered?.ToUnixTimeMilliseconds(),
                ended = ended.ToUnixTimeMilliseconds(), endReason, order = Interlocked.Increment(ref _order),
            }, transaction);
        await transaction.CommitAsync();
    }

    public async Task VisitAsync(string id, string visitor, string? account, DateTimeOffset at)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO visits (tenant_id, id, visitor_id, account_id, at, rolled) VALUES (@tenantId, @id, @visitor, @account, @at, 1)",
            new { tenantId, id, visitor, account, at = at.ToUnixTimeMilliseconds() });
    }
}
