using System.Globalization;
using Engine.Marketing;
using Engine.Web.Admin;
using Engine.Web.Infrastructure;

namespace Engine.Web.Api;

/// <summary>
/// The marketing account's request and response shapes (MK-1..MK-5) and their checks. On a change, a section left
/// out keeps its value, and so does a field left out of a given section; hours, when given, replace the old ones.
/// </summary>
public static class MarketingBodies
{
    public const int MaxNameCharacters = 16;
    public const int MaxSubOrgCharacters = 30;
    public const int MaxPromptCharacters = 500;
    public const int MaxMenuItems = 10;
    public const int MaxMenuItemCharacters = 30;

    /// <summary><see cref="AutoEndSeconds"/>: 0 turns auto end off.</summary>
    public sealed record RuleBody(string? Allocation, bool? LastAgentPriority, int? Cap, int? AutoEndSeconds);

    /// <summary>A weekday (<c>monday</c>..<c>sunday</c>) and a range <c>HH:mm</c>–<c>HH:mm</c>; <c>24:00</c> ends a day, an end not after the start runs over midnight.</summary>
    public sealed record RangeBody(string? Day, string? From, string? To);

    public sealed record WelcomeBody(bool? Enabled, string? Text, IReadOnlyList<string?>? Menu);

    public sealed record PromptBody(bool? Enabled, string? Text);

    public sealed record NoAgentBody(bool? Enabled, string? Text, bool? SilentWhileStaffOnline);

    public sealed record PromptsBody(WelcomeBody? Welcome, PromptBody? Queue, NoAgentBody? NoAgent, PromptBody? End);

    public sealed record AccountBody(string? Name, string? SubOrganization, RuleBody? Rule, IReadOnlyList<RangeBody?>? Hours, string? Robot, PromptsBody? Prompts);

    public sealed record RuleView(string Allocation, bool LastAgentPriority, int Cap, int AutoEndSeconds);

    public sealed record RangeView(string Day, string From, string To);

    public static readonly IReadOnlyDictionary<string, ReceptionAllocation> Allocations = new Dictionary<string, ReceptionAllocation>(StringComparer.Ordinal)
    {
        ["roundRobin"] = ReceptionAllocation.RoundRobin, ["idle"] = ReceptionAllocation.Idle,
    };

    public static readonly IReadOnlyDictionary<string, RobotMode> RobotModes = new Dictionary<string, RobotMode>(StringComparer.Ordinal)
    {
        ["outsideHours"] = RobotMode.OutsideHours, ["allHours"] = RobotMode.AllHours,
    };

    private static readonly IReadOnlyDictionary<string, DayOfWeek> Days = Enum.GetValues<DayOfWeek>().ToDictionary(d => d.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>The settings <paramref name="body"/> makes of <paramref name="current"/>; problems go to <paramref name="checks"/>.</summary>
    public static AccountSettings Apply(Checks checks, AccountSettings current, AccountBody body)
    {
        var rule = body.Rule is { } r ? Rule(checks, current.Rule, r) : current.Rule;
        var hours = body.Hours is { } h ? Hours(checks, h) : current.Hours;
        var robot = body.Robot is null ? current.Robot : checks.OneOf("robot", body.Robot, RobotModes);
        var prompts = body.Prompts is { } p ? Prompts(checks, current.Prompts, p) : current.Prompts;
        return new AccountSettings(rule, hours, robot, prompts);
    }

    public static RuleView ViewOf(ReceptionRule rule)
        => new(Allocations.First(a => a.Value == rule.Allocation).Key, rule.LastAgentPriority, rule.Cap, rule.AutoEndSeconds ?? 0);

    public static IReadOnlyList<RangeView> ViewOf(IReadOnlyList<HoursRange> hours)
        => [.. hours.OrderBy(r => ((int)r.Day + 6) % 7).ThenBy(r => r.From).Select(r => new RangeView(r.Day.ToString().ToLowerInvariant(), Clock(r.From), Clock(r.To)))];

    public static string RobotName(RobotMode mode) => RobotModes.First(m => m.Value == mode).Key;

    private static ReceptionRule Rule(Checks checks, ReceptionRule current, RuleBody body)
    {
        var allocation = body.Allocation is null ? current.Allocation : checks.OneOf("rule.allocation", body.Allocation, Allocations);
        var cap = checks.Range("rule.cap", body.Cap, 1, ReceptionRule.MaxCap, current.Cap);
        var autoEnd = checks.Range("rule.autoEndSeconds", body.AutoEndSeconds, 0, ReceptionRule.MaxAutoEndSeconds, current.AutoEndSeconds ?? 0);
        return new ReceptionRule(allocation, body.LastAgentPriority ?? current.LastAgentPriority, cap, autoEnd == 0 ? null : autoEnd);
    }

    private static IReadOnlyList<HoursRange> Hours(Checks checks, IReadOnlyList<RangeBody?> body)
    {
        var ranges = new List<HoursRange>();
        for (var i = 0; i < body.Count; i++)
        {
            var field = $"hours[{i}]";
            if (body[i] is not { } range) { checks.Add(field, "is required"); continue; }
            var day = checks.OneOf(field + ".day", range.Day, Days);
            var from = Minutes(checks, field + ".from", range.From, allowEndOfDay: false);
            var to = Minutes(checks, field + ".to", range.To, allowEndOfDay: true);
            ranges.Add(new HoursRange(day, from, to));
        }
        if (ranges.Count == body.Count)
            foreach (var problem in ReceptionHours.Problems(ranges).Distinct()) checks.Add("hours", problem);
        return ranges;
    }

    private static int Minutes(Checks checks, string field, string? clock, bool allowEndOfDay)
    {
        if (clock is "24:00" && allowEndOfDay) return 1440;
        if (clock is not null && TimeOnly.TryParseExact(clock, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) return time.Hour * 60 + time.Minute;
        checks.Add(field, allowEndOfDay ? "must be a time HH:mm from 00:01 to 24:00" : "must be a time HH:mm from 00:00 to 23:59");
        return 0;
    }

    private static string Clock(int minutes) => minutes == 1440 ? "24:00" : $"{minutes / 60:00}:{minutes % 60:00}";

    private static AccountPrompts Prompts(Checks checks, AccountPrompts current, PromptsBody body)
    {
        var welcome = current.Welcome;
        if (body.Welcome is { } w)
        {
            var menu = w.Menu is null ? welcome.Menu : Menu(checks, w.Menu);
            welcome = new WelcomePrompt(w.Enabled ?? welcome.Enabled, PromptText(checks, "prompts.welcome.text", w.Text, welcome.Text), menu);
        }
        var queue = body.Queue is { } q ? new Prompt(q.Enabled ?? current.Queue.Enabled, PromptText(checks, "prompts.queue.text", q.Text, current.Queue.Text)) : current.Queue;
        var noAgent = body.NoAgent is { } n
            ? new NoAgentPrompt(n.Enabled ?? current.NoAgent.Enabled, PromptText(checks, "prompts.noAgent.text", n.Text, current.NoAgent.Text), n.SilentWhileStaffOnline ?? current.NoAgent.SilentWhileStaffOnline)
            : current.NoAgent;
        var end = body.End is { } e ? new Prompt(e.Enabled ?? current.End.Enabled, PromptText(checks, "prompts.end.text", e.Text, current.End.Text)) : current.End;
        return new AccountPrompts(welcome, queue, noAgent, end);
    }

    private static string PromptText(Checks checks, string field, string? text, string current)
        => text is null ? current : checks.MessageText(field, text, MaxPromptCharacters);

    private static IReadOnlyList<string> Menu(Checks checks, IReadOnlyList<string?> items)
    {
        if (items.Count > MaxMenuItems) checks.Add("prompts.welcome.menu", $"must have at most {MaxMenuItems} items");
        var menu = items.Select((item, i) => checks.Text($"prompts.welcome.menu[{i}]", item, MaxMenuItemCharacters)).ToList();
        if (menu.Distinct(StringComparer.OrdinalIgnoreCase).Count() != menu.Count) checks.Add("prompts.welcome.menu", "must not repeat an item");
        // A visitor picks an item by its number: an item that is itself a number would be ambiguous.
        if (menu.Any(item => item.Length > 0 && item.All(char.IsAsciiDigit))) checks.Add("prompts.welcome.menu", "items must not be bare numbers (visitors answer with an item's number)");
        return menu;
    }
}
