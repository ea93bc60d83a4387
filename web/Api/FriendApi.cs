using System.Globalization;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// MK-8 friend invitation: the agent holding a chat sends a business card; admins read the friends added per account,
/// agent and day (DB-1). The friends themselves come from gateways, as the adapter API's <c>friendAdded</c> events.
/// </summary>
public static class FriendApi
{
    /// <summary>The longest range of days one request counts (a leap year).</summary>
    public const int MaxDays = 366;

    public static IEndpointRouteBuilder MapFriendApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/tenants/{tenantId}/conversations").WithTags("Conversations").RequireTenantMember()
            .NotAudited("conversations are customers' traffic and agents' work, kept in their own records and history, not configuration")
            .MapPost("/{conversationId}/business-card", SendCard).RequireAuthorization(Policies.Member);
        app.MapGroup("/api/v1/tenants/{tenantId}/marketing-accounts").WithTags("Marketing accounts").RequireTenantMember()
            .RequireAuthorization(Policies.Admin)
            .MapGet("/friends", Friends);
        return app;
    }

    /// <summary><c>personId</c>: whose card (the caller's when absent); <c>text</c>: the invitation (a default when absent), <c>{name}</c> in it becomes the person's name.</summary>
    public sealed record CardRequest(string? PersonId, string? Text);

    /// <summary>The card's number in the conversation, and the card as sent.</summary>
    public sealed record CardAck(string ConversationId, long Seq, FriendInvitations.BusinessCard Card);

    /// <summary>The friends an agent added through an account on a day of the tenant's zone (<c>yyyy-MM-dd</c>).</summary>
    public sealed record FriendsRow(string Day, string AccountId, string AgentId, int Friends);

    /// <summary>MK-8: the agent holding the conversation sends their own business card or a colleague's, with an invitation text of at most 200 characters.</summary>
    public static async Task<Ok<CardAck>> SendCard(string tenantId, string conversationId, CardRequest request, HttpContext http, FriendInvitations invitations, CancellationToken cancellationToken)
    {
        var (seq, card) = await invitations.SendCardAsync(tenantId, conversationId, http.User.UserId(), request.PersonId, request.Text, cancellationToken);
        return TypedResults.Ok(new CardAck(conversationId, seq, card));
    }

    /// <summary>
    /// MK-8, DB-1: friends added per day (the tenant's zone), account and agent, from <c>from</c> to <c>to</c>
    /// (local dates, both included; each defaults to today, at most <see cref="MaxDays"/> days), optionally of one
    /// account or one agent. Days, accounts and agents without friends have no row.
    /// </summary>
    public static async Task<Ok<IReadOnlyList<FriendsRow>>> Friends(
        string tenantId, string? from, string? to, string? accountId, string? agentId, FriendInvitations invitations, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var today = await invitations.TodayAsync(tenantId, cancellationToken);
        var first = checks.Date("from", from) ?? today;
        var last = checks.Date("to", to) ?? today;
        if (last < first) checks.Add("to", "must not be before from");
        else if (last.DayNumber - first.DayNumber + 1 > MaxDays) checks.Add("to", $"must be at most {MaxDays} days after from, counting both");
        var account = checks.OptionalText("accountId", accountId, 64);
        var agent = checks.OptionalText("agentId", agentId, 64);
        checks.ThrowIfAny();
        var counts = await invitations.CountAsync(tenantId, first, last, account, agent, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<FriendsRow>>([.. counts.Select(c =>
            new FriendsRow(c.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.AccountId, c.AgentId, c.Friends))]);
    }
}
