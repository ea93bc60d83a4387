using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>The signed-in agent's own state: presence (AS-1, AS-2), the offers ringing at them (AS-3), their service records (AS-8), and their colleagues (MK-8).</summary>
public static class WorkApi
{
    /// <summary>AS-2's presences by their API names (the REST API and the workbench hub take the same).</summary>
    public static readonly IReadOnlyDictionary<string, Presence> PresenceChoices = new Dictionary<string, Presence>(StringComparer.Ordinal)
    {
        ["online"] = Presence.Online, ["break"] = Presence.Break, ["offline"] = Presence.Offline,
    };

    public static IEndpointRouteBuilder MapWorkApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/v1/tenants/{tenantId}/me").WithTags("Agent work").RequireTenantMember().RequireAuthorization(Policies.Member)
            .NotAudited("an agent's own status, kept in the status history (AS-1)");
        me.MapGet("/presence", GetPresence);
        me.MapPut("/presence", SetPresence);
        me.MapGet("/offers", Offers);
        me.MapGet("/records", Records);
        me.MapGet("/colleagues", Colleagues);
        return app;
    }

    /// <summary><c>force</c> takes an agent offline who still holds conversations; they go back to their queues.</summary>
    public sealed record PresenceChange(string? Presence, bool? Force);

    /// <summary><c>WorkbenchAwaySince</c>: the agent's last workbench connection dropped then, and the presence grace runs.</summary>
    public sealed record PresenceView(string Status, string Presence, string? BreakReason, int Holding, DateTimeOffset IdleSince, DateTimeOffset? WorkbenchAwaySince);

    public sealed record OfferView(string ConversationId, string SkillGroupId, string Mode, DateTimeOffset OfferedAt, DateTimeOffset? Deadline);

    public static async Task<Ok<PresenceView>> GetPresence(string tenantId, HttpContext http, IGrainFactory grains)
        => TypedResults.Ok(ViewOf(await Agent(tenantId, http, grains).GetSnapshot()));

    /// <summary>AS-2: online, on a break or offline (the agent grain decides how to get there).</summary>
    public static async Task<Ok<PresenceView>> SetPresence(string tenantId, PresenceChange request, HttpContext http, IGrainFactory grains)
    {
        var checks = new Checks();
        var wanted = checks.OneOf("presence", request.Presence, PresenceChoices);
        checks.ThrowIfAny();
        var after = await Agent(tenantId, http, grains).SetPresence(wanted, request.Force ?? false);
        return TypedResults.Ok(ViewOf(after));
    }

    /// <summary>AS-3: the offers ringing at the agent, oldest first, each with the time it stops ringing (RT-4) when timeout transfer is on.</summary>
    public static async Task<Ok<IReadOnlyList<OfferView>>> Offers(string tenantId, HttpContext http, IGrainFactory grains)
    {
        var snapshot = await Agent(tenantId, http, grains).GetSnapshot();
        var offers = new List<OfferView>();
        foreach (var w in snapshot.Work.Where(w => w.Stage == WorkStage.Reserved).OrderBy(w => w.Since))
        {
            var conversation = await grains.Conversation(tenantId, w.ConversationId).GetSnapshot();
            // Reserved but not yet taken by the conversation (its group tells it one-way): not ringing yet, and an
            // answer now would be refused as not the agent's.
            if (conversation is not { Status: ConversationStatus.Offered } || conversation.AgentId != snapshot.AgentId) continue;
            offers.Add(new OfferView(w.ConversationId, w.GroupId, SkillGroupService.ModeName(w.Mode), w.Since, conversation?.OfferDeadline));
        }
        return TypedResults.Ok<IReadOnlyList<OfferView>>(offers);
    }

    /// <summary>
    /// AS-8: one of the agent's service records. <c>Answered</c> and <c>DurationSeconds</c> (answer to end) serve every
    /// mode; a call's type is inbound (calls reach agents through their groups), its caller the customer.
    /// </summary>
    public sealed record ServiceRecord(
        string ConversationId, DateTimeOffset CreatedAt, string Mode, string Customer, string? SkillGroupId, string? SkillGroupName,
        string Status, bool Answered, long? DurationSeconds, string? EndReason, string CallType = "inbound");

    /// <summary>A page of records, newest first; <c>Next</c> is the cursor of the page after it (null: the last page).</summary>
    public sealed record ServiceRecordPage(IReadOnlyList<ServiceRecord> Records, string? Next);

    /// <summary>AS-8: the agent's own service records, filtered by creation time range and skill group, keyset-paged.</summary>
    public static async Task<Ok<ServiceRecordPage>> Records(
        string tenantId, DateTimeOffset? from, DateTimeOffset? to, string? skillGroupId, string? after, int? limit, HttpContext http, RecordStore records, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        if (from is { } f && to is { } t && t <= f) checks.Add("to", "must be after from");
        var size = checks.Range("limit", limit, 1, Paging.MaxLimit, Paging.DefaultLimit);
        var cursor = Keyset.Record(checks, "after", after);
        checks.ThrowIfAny();
        var filter = new RecordFilter(ServedBy: http.User.UserId(), From: from?.ToUnixTimeMilliseconds(), To: to?.ToUnixTimeMilliseconds(),
            GroupId: string.IsNullOrWhiteSpace(skillGroupId) ? null : skillGroupId);
        var (rows, next) = Keyset.PageOf(await records.ListAsync(tenantId, filter, cursor, size + 1, cancellationToken), size, Keyset.Of);
        var page = rows.Select(r => new ServiceRecord(r.Id, UnixTime.At(r.CreatedAt), SkillGroupService.ModeName(SkillGroupService.ParseMode(r.Mode)), r.VisitorId, r.GroupId, r.GroupName,
            r.Status, r.AnsweredAt is not null, r is { AnsweredAt: { } a, EndedAt: { } e } ? (e - a) / 1000 : null, r.EndReason)).ToList();
        return TypedResults.Ok(new ServiceRecordPage(page, next));
    }

    /// <summary>A person of the tenant an agent may name (MK-8: whose business card to send), and no more of them than that.</summary>
    public sealed record ColleagueView(string Id, string Name, string? Nickname, string? StaffNo);

    /// <summary>The tenant's agents and admin-role agents (the caller too), oldest first, paged; <c>name</c> matches part of the name.</summary>
    public static async Task<Ok<PageOf<ColleagueView>>> Colleagues(string tenantId, string? name, int? offset, int? limit, UserStore users, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var page = await users.ListAsync(tenantId, new UserFilter(Name: string.IsNullOrWhiteSpace(name) ? null : name.Trim()), paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<ColleagueView>([.. page.Items.Select(u => new ColleagueView(u.Id, u.Name, u.Nickname, u.StaffNo))], page.Total, page.Offset, page.Limit));
    }

    private static IAgentGrain Agent(string tenantId, HttpContext http, IGrainFactory grains) => grains.Agent(tenantId, http.User.UserId());

    private static PresenceView ViewOf(AgentSnapshot a) => new(
        a.Status.ToString(), a.Presence.ToString().ToLowerInvariant(), a.Presence == Presence.Break ? a.BreakReason.ToString() : null,
        a.Work.Count, a.IdleSince, a.WorkbenchAwaySince);
}
