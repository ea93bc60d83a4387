using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Routing;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// Conversations for integrations (telephony adapters, scripts, load testers): an admin's token starts
/// them and writes as the visitor; the agent holding one answers, writes, ends and completes it. The
/// same grains serve the web chat and the workbench.
/// </summary>
public static class ConversationApi
{
    public const int MaxTextCharacters = 5000;

    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/api/v1/tenants/{tenantId}/conversations").WithTags("Conversations").RequireTenantMember()
            .NotAudited("conversations are customers' traffic and agents' work, kept in their own records and history, not configuration");
        conversations.MapPost("", Start).RequireAuthorization(Policies.Admin);
        conversations.MapGet("/{conversationId}", Get).RequireAuthorization(Policies.Member);
        conversations.MapGet("/{conversationId}/messages", Messages).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/messages", Write).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/answer", Answer).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/end", End).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/complete", Complete).RequireAuthorization(Policies.Member);
        // AS-6, a call's controls: hang up; then continue (继续接听) or enter wrap-up (话后整理), ended from the menu.
        conversations.MapPost("/{conversationId}/hang-up", End).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/continue", Complete).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/wrap-up", WrapUp).RequireAuthorization(Policies.Member);
        conversations.MapPost("/{conversationId}/wrap-up/finish", FinishWrapUp).RequireAuthorization(Policies.Member);
        return app;
    }

    public sealed record NewConversation(string? SkillGroupId, string? VisitorId, string? Mode);

    public sealed record NewMessage(string? Text, string? ClientMessageId);

    /// <summary>A conversation; <c>QueuePosition</c> counts the conversations ahead of it while it waits (RT-6).</summary>
    public sealed record ConversationView(
        string Id, string VisitorId, string Mode, string Status, string? SkillGroupId, string? AgentId, int? QueuePosition,
        DateTimeOffset CreatedAt, DateTimeOffset? QueuedAt, DateTimeOffset? OfferedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt, string? EndReason, DateTimeOffset? OfferDeadline = null);

    /// <summary>The message's number in its conversation; <c>Duplicate</c> when the client message id was seen before and nothing new was stored.</summary>
    public sealed record MessageAck(long Seq, bool Duplicate);

    public sealed record MessageView(long Seq, string Sender, string? AgentId, string Kind, string Content, DateTimeOffset SentAt, string? ClientMessageId);

    public static async Task<Created<ConversationView>> Start(string tenantId, NewConversation request, SkillGroupStore groups, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var groupId = checks.Text("skillGroupId", request.SkillGroupId, 64);
        var visitorId = checks.Text("visitorId", request.VisitorId, 128);
        var mode = checks.OneOf("mode", request.Mode, SkillGroupService.Modes);
        checks.ThrowIfAny();
        var group = await groups.GetAsync(tenantId, groupId, cancellationToken) ?? throw RequestValidationException.For("skillGroupId", "names no skill group of this tenant");
        if (SkillGroupService.ParseMode(group.Mode) != mode)
            throw RequestValidationException.For("mode", $"does not match the skill group, which serves {group.Mode} conversations");
        var id = Ids.New();
        var (conversation, position) = await grains.Conversation(tenantId, id).Start(visitorId, mode, groupId);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/conversations/{id}", ViewOf(conversation, position < 0 ? null : position));
    }

    /// <summary>
    /// The record is read first: an id with no record answers 404 without activating a grain, so a burst of made-up
    /// ids costs reads, not activations. A live conversation is then shown as its grain holds it.
    /// </summary>
    public static async Task<Ok<ConversationView>> Get(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
    {
        var row = await records.ConversationAsync(tenantId, conversationId, cancellationToken) ?? throw new NotFoundException($"Conversation {conversationId}");
        if (row.Live is not null && await grains.Conversation(tenantId, conversationId).GetSnapshot() is { } live)
        {
            RequireVisible(http, live.AgentId, conversationId);
            int? position = null;
            if (live is { Status: ConversationStatus.Queued, GroupId: { } groupId }
                && await grains.SkillGroup(tenantId, groupId).PositionOf(conversationId) is var ahead and >= 0)
                position = ahead;
            return TypedResults.Ok(ViewOf(live, position));
        }
        // Completed conversations leave the grains; their record stays.
        RequireVisible(http, row.AgentId, conversationId);
        return TypedResults.Ok(new ConversationView(row.Id, row.VisitorId, SkillGroupService.ModeName(SkillGroupService.ParseMode(row.Mode)), row.Status, row.GroupId, row.AgentId, null,
            UnixTime.At(row.CreatedAt), UnixTime.At(row.QueuedAt), UnixTime.At(row.OfferedAt), UnixTime.At(row.AnsweredAt), UnixTime.At(row.EndedAt), row.EndReason));
    }

    public static async Task<Ok<IReadOnlyList<MessageView>>> Messages(string tenantId, string conversationId, long? afterSeq, int? limit, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
    {
        await Get(tenantId, conversationId, http, grains, records, cancellationToken);
        var paging = Paging.From(0, limit);
        var rows = await records.MessagesAsync(tenantId, conversationId, afterSeq ?? 0, paging.Limit, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<MessageView>>([.. rows.Select(ViewOf)]);
    }

    public static MessageView ViewOf(MessageRow m) => new(m.Seq, m.SenderKind, m.AgentId, m.Kind, m.Content, UnixTime.At(m.SentAt), m.ClientMessageId);

    /// <summary>The agent holding the conversation writes as the agent; an admin (an integration) writes as the visitor.</summary>
    public static async Task<Ok<MessageAck>> Write(string tenantId, string conversationId, NewMessage request, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var text = checks.MessageText("text", request.Text, MaxTextCharacters);
        var clientMessageId = checks.OptionalText("clientMessageId", request.ClientMessageId, 64);
        checks.ThrowIfAny();
        await RequireLiveAsync(tenantId, conversationId, http, grains, records, cancellationToken);
        var conversation = grains.Conversation(tenantId, conversationId);
        var live = await conversation.GetSnapshot() ?? throw new NotFoundException($"Conversation {conversationId}");
        var caller = http.User.UserId();
        MessageSender sender;
        if (live.AgentId == caller) sender = MessageSender.Agent;
        else if (http.User.Role() == Roles.Admin) sender = MessageSender.Visitor;
        else throw new NotFoundException($"Conversation {conversationId}");
        var (seq, isNew) = await conversation.AppendMessage(sender, sender == MessageSender.Agent ? caller : null, "text", text, clientMessageId);
        return TypedResults.Ok(new MessageAck(seq, !isNew));
    }

    public static Task<Ok<ConversationView>> Answer(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
        => Act(tenantId, conversationId, http, grains, records, static (c, agent) => c.Answer(agent), cancellationToken);

    public static Task<Ok<ConversationView>> End(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
        => Act(tenantId, conversationId, http, grains, records, static (c, agent) => c.End(agent), cancellationToken);

    public static Task<Ok<ConversationView>> Complete(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
        => Act(tenantId, conversationId, http, grains, records, static (c, agent) => c.Complete(agent), cancellationToken);

    /// <summary>AS-6: after hanging up, the agent enters wrap-up (WrapUp status) instead of continuing.</summary>
    public static Task<Ok<ConversationView>> WrapUp(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
        => Act(tenantId, conversationId, http, grains, records, static (c, agent) => c.EnterWrapUp(agent), cancellationToken);

    /// <summary>AS-6: wrap-up ended from the menu; the call is complete and the agent back to Idle.</summary>
    public static Task<Ok<ConversationView>> FinishWrapUp(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
        => Act(tenantId, conversationId, http, grains, records, static (c, agent) => c.FinishWrapUp(agent), cancellationToken);

    private static async Task<Ok<ConversationView>> Act(
        string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records,
        Func<IConversationGrain, string, ValueTask<ConversationSnapshot>> action, CancellationToken cancellationToken)
    {
        await RequireLiveAsync(tenantId, conversationId, http, grains, records, cancellationToken);
        var snapshot = await action(grains.Conversation(tenantId, conversationId), http.User.UserId());
        return TypedResults.Ok(ViewOf(snapshot, null));
    }

    /// <summary>
    /// Before a conversation's grain is called: an agent must hold it (asked of their own grain, which is live while
    /// they work), anyone else needs its live record. An unknown id is then a 404 that activated no conversation.
    /// An agent who no longer holds it but is still named by its live record (a completion whose save failed after
    /// the agent's step) passes too, so that asking again finishes it.
    /// </summary>
    private static async Task RequireLiveAsync(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, RecordStore records, CancellationToken cancellationToken)
    {
        var caller = http.User.UserId();
        var known = http.User.Role() != Roles.Admin && await grains.Agent(tenantId, caller).Holds(conversationId);
        if (!known && await records.ConversationAsync(tenantId, conversationId, cancellationToken) is { Live: not null } row)
            known = http.User.Role() == Roles.Admin || row.AgentId == caller;
        if (!known) throw new NotFoundException($"Conversation {conversationId}");
    }

    /// <summary>An agent sees the conversations they hold; admins see all of their tenant's.</summary>
    private static void RequireVisible(HttpContext http, string? agentId, string conversationId)
    {
        if (http.User.Role() != Roles.Admin && agentId != http.User.UserId()) throw new NotFoundException($"Conversation {conversationId}");
    }

    private static ConversationView ViewOf(ConversationSnapshot c, int? position) => new(
        c.Id, c.VisitorId, SkillGroupService.ModeName(c.Mode), c.Status.ToString(), c.GroupId, c.AgentId, position,
        c.CreatedAt, c.QueuedAt, c.OfferedAt, c.AnsweredAt, c.EndedAt, c.EndReason == EndReason.None ? null : c.EndReason.ToString(), c.OfferDeadline);

    private static DateTimeOffset? Time(long? unixMilliseconds) => unixMilliseconds is { } ms ? UnixTime.At(ms) : null;
}
