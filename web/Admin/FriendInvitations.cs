using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Marketing;
using Engine.Persistence.Admin;
using Engine.Web.Infrastructure;

namespace Engine.Web.Admin;

/// <summary>
/// MK-8 friend invitation: the agent holding a chat sends a business card (theirs or a colleague's) with an invitation
/// text, as a message of kind <c>card</c>; a gateway reports the friend the customer then added; the friends are
/// counted per account, agent and natural day of the tenant's zone (DB-1).
/// </summary>
public sealed class FriendInvitations(IGrainFactory grains, UserStore users, MarketingStore accounts, FriendStore friends, TenantStore tenants, TimeProvider time)
{
    /// <summary>The most an invitation text holds, with the name filled in.</summary>
    public const int MaxTextCharacters = 200;

    /// <summary>The invitation when the agent writes none; <see cref="NamePlaceholder"/> becomes the card's name.</summary>
    public const string DefaultText = "您好，我是{name}，加个好友吧，有问题随时找我。";

    public const string NamePlaceholder = "{name}";

    /// <summary>The message kind of a business card.</summary>
    public const string CardKind = "card";

    /// <summary>CJK as it is (the content stays readable in the records); HTML's special characters still escaped.</summary>
    private static readonly JsonSerializerOptions CardJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>A business card as the message's content carries it.</summary>
    public sealed record BusinessCard(string PersonId, string Name, string? Nickname, string? StaffNo, string Text);

    /// <summary>
    /// The agent holding <paramref name="conversationId"/> sends the card of <paramref name="personId"/> (themself when
    /// null), with <paramref name="text"/> (the default when null). Someone else's chat is not there (404).
    /// </summary>
    public async Task<(long Seq, BusinessCard Card)> SendCardAsync(string tenantId, string conversationId, string agentId, string? personId, string? text, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var person = personId is null ? agentId : checks.Text("personId", personId, 64);
        var written = text is null ? null : checks.MessageText("text", text, int.MaxValue);
        checks.ThrowIfAny();
        if (!await grains.Agent(tenantId, agentId).Holds(conversationId)) throw new NotFoundException($"Conversation {conversationId}");
        var user = await AgentAsync(tenantId, person, cancellationToken) ?? throw RequestValidationException.For("personId", "names no agent of this tenant");
        var shown = string.IsNullOrWhiteSpace(user.Nickname) ? user.Name : user.Nickname;
        var invitation = (written ?? DefaultText).Replace(NamePlaceholder, shown, StringComparison.Ordinal);
        if (Checks.Characters(invitation) > MaxTextCharacters)
            throw RequestValidationException.For("text", $"must be at most {MaxTextCharacters} characters (with {NamePlaceholder} filled in)");
        var card = new BusinessCard(user.Id, user.Name, user.Nickname, user.StaffNo, invitation);
        var (seq, _) = await grains.Conversation(tenantId, conversationId).AppendMessage(MessageSender.Agent, agentId, CardKind, JsonSerializer.Serialize(card, CardJson), null);
        return (seq, card);
    }

    /// <summary>
    /// A gateway's <c>friendAdded</c>: the customer of <paramref name="channel"/> added <paramref name="agentId"/> as a
    /// friend through <paramref name="accountId"/>. The same account, agent and customer counts once: a retry finds
    /// the first record and returns it with <c>Added</c> false.
    /// </summary>
    public async Task<(FriendRow Row, bool Added)> AddFriendAsync(ChannelRow channel, string customerId, string accountId, string agentId, CancellationToken cancellationToken)
    {
        var tenantId = channel.TenantId;
        var checks = new Checks();
        if (await accounts.GetAsync(tenantId, accountId, cancellationToken) is null) checks.Add("accountId", "names no marketing account of this channel's tenant");
        if (await AgentAsync(tenantId, agentId, cancellationToken) is null) checks.Add("agentId", "names no agent of this channel's tenant");
        checks.ThrowIfAny();
        var row = new FriendRow
        {
            TenantId = tenantId, AccountId = accountId, AgentId = agentId, CustomerId = ChannelVisitors.VisitorId(channel.Id, customerId),
            ChannelId = channel.Id, AddedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        return await friends.AddAsync(row, cancellationToken);
    }

    /// <summary>The friends added on the local dates <paramref name="from"/> to <paramref name="to"/> (both included), per day, account and agent.</summary>
    public async Task<IReadOnlyList<FriendDayCount>> CountAsync(string tenantId, DateOnly from, DateOnly to, string? accountId, string? agentId, CancellationToken cancellationToken)
    {
        var zone = await tenants.ZoneAsync(tenantId, cancellationToken);
        var (start, end) = Engine.Metrics.NaturalDays.Span(from, to, zone);
        var rows = await friends.ListAsync(tenantId, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), accountId, agentId, cancellationToken);
        return FriendDays.Count(rows.Select(r => new FriendAdded(r.AccountId, r.AgentId, r.CustomerId, UnixTime.At(r.AddedAt))), zone);
    }

    /// <summary>Today in the tenant's zone.</summary>
    public async Task<DateOnly> TodayAsync(string tenantId, CancellationToken cancellationToken)
        => Engine.Metrics.NaturalDays.DayOf(time.GetUtcNow(), await tenants.ZoneAsync(tenantId, cancellationToken));

    /// <summary>A live agent or admin-role agent of the tenant (AG-2: both work as agents); null for anyone else.</summary>
    private async Task<UserRow?> AgentAsync(string tenantId, string id, CancellationToken cancellationToken)
        => await users.GetInTenantAsync(tenantId, id, null, cancellationToken) is { Role: Auth.Roles.Agent or Auth.Roles.Admin } user ? user : null;
}
