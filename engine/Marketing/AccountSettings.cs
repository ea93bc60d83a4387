using System.Text.Json;
using System.Text.Json.Serialization;
using Engine.Routing;

namespace Engine.Marketing;

/// <summary>MK-3 allocation: 轮流分配 (each staff member in turn) or 空闲分配 (fewest active, then longest idle, RT-2).</summary>
public enum ReceptionAllocation
{
    RoundRobin,
    Idle,
}

/// <summary>MK-4: when the robot receives new visitors.</summary>
public enum RobotMode
{
    /// <summary>Outside reception hours only; handed to staff when hours begin.</summary>
    OutsideHours,

    /// <summary>Also in hours while every staff member is at their cap; handed over as soon as one frees up.</summary>
    AllHours,
}

/// <summary>MK-3: how an account's staff receive its visitors.</summary>
public sealed record ReceptionRule(
    ReceptionAllocation Allocation = ReceptionAllocation.RoundRobin,
    bool LastAgentPriority = true,
    int Cap = ReceptionRule.DefaultCap,
    int? AutoEndSeconds = null)
{
    public const int DefaultCap = 10;
    public const int MaxCap = 50;
    public const int MaxAutoEndSeconds = 48 * 3600;

    /// <summary>The routing of the account's group: the engine's own policies, no second router.</summary>
    public RoutingSettings Routing => new()
    {
        Policy = Allocation == ReceptionAllocation.RoundRobin ? AllocationPolicyKind.RoundRobin : AllocationPolicyKind.FewestActive,
        LastAgentPriority = LastAgentPriority,
    };
}

/// <summary>One prompt (MK-5): on or off, and its text.</summary>
public sealed record Prompt(bool Enabled, string Text);

/// <summary>MK-5 welcome: on by default; a body and menu items a visitor picks by number or by text.</summary>
public sealed record WelcomePrompt(bool Enabled, string Text, IReadOnlyList<string> Menu);

/// <summary>MK-5 no-agent prompt: on by default; optionally silent while any staff member is online (only all busy).</summary>
public sealed record NoAgentPrompt(bool Enabled, string Text, bool SilentWhileStaffOnline = false);

/// <summary>MK-5: the four prompts of an account, each editable; <see cref="Defaults"/> is what a new account gets.</summary>
public sealed record AccountPrompts(WelcomePrompt Welcome, Prompt Queue, NoAgentPrompt NoAgent, Prompt End)
{
    public const string WaitNo = "${WaitNo}";

    public static readonly AccountPrompts Defaults = new(
        new WelcomePrompt(true, "您好，欢迎咨询！请问有什么可以帮您？您可以回复序号或直接输入问题：", ["产品咨询", "订单查询", "售后服务"]),
        new Prompt(false, "当前咨询人数较多，您前面还有" + WaitNo + "位，请稍候。"),
        new NoAgentPrompt(true, "抱歉，客服暂时无法接待，请留言，我们会尽快回复您。"),
        new Prompt(false, "本次会话已结束，感谢您的咨询！"));

    /// <summary>
    /// The menu item a visitor's answer picks: its number (1-based, as shown) or its exact text, spaces around either
    /// ignored; null for anything else (a question of their own).
    /// </summary>
    public string? MenuChoice(string answer)
    {
        var text = answer.Trim();
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= Welcome.Menu.Count)
            return Welcome.Menu[n - 1];
        return Welcome.Menu.FirstOrDefault(item => string.Equals(item.Trim(), text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The welcome as the visitor reads it: the body, then the menu numbered from 1.</summary>
    public string WelcomeText()
        => Welcome.Menu.Count == 0 ? Welcome.Text : Welcome.Text + "\n" + string.Join("\n", Welcome.Menu.Select((item, i) => $"{i + 1}. {item}"));
}

/// <summary>An account's rule, hours, robot mode and prompts (MK-3..MK-5), as one stored document.</summary>
public sealed record AccountSettings(ReceptionRule Rule, IReadOnlyList<HoursRange> Hours, RobotMode Robot, AccountPrompts Prompts)
{
    public static readonly AccountSettings Defaults = new(new ReceptionRule(), ReceptionHours.AllWeek, RobotMode.OutsideHours, AccountPrompts.Defaults);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AccountSettings FromJson(string json) => JsonSerializer.Deserialize<AccountSettings>(json, Json) ?? Defaults;
}
