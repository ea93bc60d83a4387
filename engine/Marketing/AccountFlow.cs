using Engine.Flows;

namespace Engine.Marketing;

/// <summary>
/// A marketing account's chat runs as a flow made from the account (not one an admin designs): the welcome, the
/// Transfer to the account's group with the queue prompt (<c>${WaitNo}</c>), and the End with the auto end (FL-5's
/// reply timeout, MK-3) and the end-of-chat prompt. The no-agent prompt, the hours and the robot are the run's
/// account-specific steps at the Transfer (MK-4, MK-5). Made from the account's current settings each time a run
/// loads it, so an edit reaches the chats going on.
/// </summary>
public static class AccountFlow
{
    public const string Prefix = "mk:";

    public const string TransferId = "transfer";

    /// <summary>The flow id an account's chat runs under.</summary>
    public static string FlowIdOf(string accountId) => Prefix + accountId;

    /// <summary>The account a flow id stands for; null for a designed flow.</summary>
    public static string? AccountOf(string flowId) => flowId.StartsWith(Prefix, StringComparison.Ordinal) ? flowId[Prefix.Length..] : null;

    public static FlowDefinition Build(string accountId, AccountSettings settings)
    {
        var prompts = settings.Prompts;
        var end = prompts.End.Enabled ? prompts.End.Text : null;
        var modules = new List<FlowModule> { new StartModule("start", "开始", prompts.Welcome.Enabled ? "welcome" : TransferId) };
        if (prompts.Welcome.Enabled) modules.Add(new MessageModule("welcome", "欢迎语", prompts.WelcomeText(), TransferId));
        modules.Add(new TransferModule(TransferId, "接待", accountId, prompts.Queue.Enabled ? prompts.Queue.Text : null, null, null, "end"));
        modules.Add(new EndModule("end", "结束", settings.Rule.AutoEndSeconds, end, end));
        return new FlowDefinition(modules);
    }
}
