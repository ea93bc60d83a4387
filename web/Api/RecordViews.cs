using System.Text;
using Engine.Metrics;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Infrastructure;

namespace Engine.Web.Api;

/// <summary>What the records API answers (DB-6, DB-7): rows of the list, a record's detail, found messages, and the export's columns.</summary>
public static class RecordViews
{
    /// <summary>Something of the tenant by id, with its name (null when it is gone).</summary>
    public sealed record Named(string Id, string? Name);

    /// <summary>The channel a conversation came through: its name and kind (website, wechat, ...).</summary>
    public sealed record ChannelView(string Id, string? Name, string? Kind);

    /// <summary>A message as a record's row shows it: its kind, its first <see cref="RecordStore.PreviewLength"/> characters (… when cut), its time.</summary>
    public sealed record LastMessageView(string Kind, string Preview, DateTimeOffset SentAt);

    /// <summary>
    /// DB-6: a row of the records list. <c>Customer</c> is the visitor's id; <c>Account</c> is set when the conversation came
    /// through a marketing account, <c>SkillGroup</c> when it reached a group.
    /// </summary>
    public sealed record RecordView(
        string ConversationId, string Customer, string Mode, string Status, Named? Account, Named? SkillGroup, Named? Agent,
        DateTimeOffset StartedAt, LastMessageView? LastMessage, ChannelView? Channel, string? Region);

    /// <summary>A page of records, newest first; <c>Next</c> is the <c>after</c> of the page after it (absent on the last page).</summary>
    public sealed record RecordPage(IReadOnlyList<RecordView> Items, string? Next);

    /// <summary>
    /// DB-7: a record in full. <c>Source</c> is the channel; <c>FirstResponseAt</c> is when an agent first replied after the
    /// customer's first message and <c>FirstResponseSeconds</c> how long after (DB-3: absent when the customer did not write
    /// first or nobody replied).
    /// </summary>
    public sealed record RecordDetail(
        string ConversationId, string Customer, string Mode, string Status, string? EndReason, Named? Agent, Named? Account, Named? SkillGroup,
        string? Region, ChannelView? Source, DateTimeOffset StartedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt,
        DateTimeOffset? FirstResponseAt, double? FirstResponseSeconds, LastMessageView? LastMessage);

    /// <summary>A record's messages in order; <c>Next</c> is the <c>after</c> (a message number) of the page after it.</summary>
    public sealed record MessagePage(IReadOnlyList<ConversationApi.MessageView> Items, long? Next);

    /// <summary>DB-7: a message found, with its conversation and the agent who served that conversation.</summary>
    public sealed record MessageHit(string ConversationId, long Seq, string Sender, Named? Agent, string Kind, string Content, DateTimeOffset SentAt);

    /// <summary>Found messages, newest first, and the time range searched (<c>From</c> included, <c>To</c> not).</summary>
    public sealed record MessageHitPage(IReadOnlyList<MessageHit> Items, string? Next, DateTimeOffset From, DateTimeOffset To);

    public static RecordView ViewOf(RecordRow r) => new(
        r.Id, r.VisitorId, ModeName(r.Mode), r.Status, NamedOf(r.AccountId, r.AccountName), NamedOf(r.GroupId, r.GroupName), NamedOf(r.AgentId, r.AgentName),
        UnixTime.At(r.CreatedAt), LastOf(r), ChannelOf(r), r.Region);

    public static RecordDetail DetailOf(RecordRow r, FirstResponse first) => new(
        r.Id, r.VisitorId, ModeName(r.Mode), r.Status, r.EndReason, NamedOf(r.AgentId, r.AgentName), NamedOf(r.AccountId, r.AccountName), NamedOf(r.GroupId, r.GroupName),
        r.Region, ChannelOf(r), UnixTime.At(r.CreatedAt), UnixTime.At(r.AnsweredAt), UnixTime.At(r.EndedAt),
        first.ReplyAt, first.Wait?.TotalSeconds, LastOf(r));

    public static MessageHit HitOf(MessageHitRow m)
        => new(m.ConversationId, m.Seq, m.SenderKind, NamedOf(m.AgentId, m.AgentName), m.Kind, m.Content, UnixTime.At(m.SentAt));

    /// <summary>The export's columns (Chinese, as the workbench's); times are the tenant's local times, named in their titles.</summary>
    public static IReadOnlyList<string> ExportTitles(TimeZoneInfo zone) =>
        ["会话ID", "客户", "账号", "技能组", "坐席", $"开始时间 ({zone.Id})", "最后消息类型", "最后消息", $"最后消息时间 ({zone.Id})", "渠道", "渠道类型", "地区"];

    public static IReadOnlyList<object?> ExportRowOf(RecordRow r, TimeZoneInfo zone) =>
    [
        r.Id, r.VisitorId, r.AccountName, r.GroupName, r.AgentName, Local(r.CreatedAt, zone), r.LastKind, Preview(r.LastContent),
        r.LastSentAt is { } at ? Local(at, zone) : null, r.ChannelName, r.ChannelKind, r.Region,
    ];

    /// <summary>The first <see cref="RecordStore.PreviewLength"/> characters (code points, as the stores count them), with … when there were more.</summary>
    public static string? Preview(string? content)
    {
        if (content is null) return null;
        var preview = new StringBuilder();
        var count = 0;
        foreach (var rune in content.EnumerateRunes())
        {
            if (count++ == RecordStore.PreviewLength) return preview.Append('…').ToString();
            preview.Append(rune.ToString());
        }
        return content;
    }

    private static DateTime Local(long unixMilliseconds, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(UnixTime.At(unixMilliseconds), zone).DateTime;

    /// <summary>The API's name of a stored mode (<c>Online</c> is <c>online</c>, as <see cref="SkillGroupService.ModeName"/> names it).</summary>
    private static string ModeName(string mode) => mode.ToLowerInvariant();

    private static Named? NamedOf(string? id, string? name) => id is null ? null : new Named(id, name);

    private static ChannelView? ChannelOf(RecordRow r) => r.ChannelId is null ? null : new ChannelView(r.ChannelId, r.ChannelName, r.ChannelKind);

    private static LastMessageView? LastOf(RecordRow r)
        => r is { LastKind: { } kind, LastContent: { } content, LastSentAt: { } at } ? new LastMessageView(kind, Preview(content)!, UnixTime.At(at)) : null;
}
