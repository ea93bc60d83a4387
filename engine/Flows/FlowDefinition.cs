using System.Text.Json.Serialization;

namespace Engine.Flows;

/// <summary>
/// A service flow (FL-1): modules joined by connections, each module naming the module that follows it
/// (<c>next</c>; a Branch, one per option). Online and omni-media flows send messages; a phone flow (IVR)
/// plays audio and reads digits. The flow's name, mode and status live with the flow, not here.
/// </summary>
public sealed record FlowDefinition(IReadOnlyList<FlowModule> Modules)
{
    /// <summary>The module with this id; a plain loop, as a run looks modules up on every step.</summary>
    public FlowModule? Find(string? id)
    {
        if (id is null) return null;
        foreach (var module in Modules)
        {
            if (module.Id == id) return module;
        }
        return null;
    }
}

/// <summary>A module of a flow: an id unique in the flow, and the label the designer shows (FL-1). In JSON, <c>type</c> names its kind.</summary>
[JsonConverter(typeof(FlowModuleConverter))]
public abstract record FlowModule(string Id, string Label)
{
    /// <summary>The modules this one leads to (its connections), in order.</summary>
    public abstract IEnumerable<string?> Connections();
}

/// <summary>FL-1, FL-2: where every conversation starts; exposes <c>${WaitNo}</c> and <c>${StaffNo}</c> to the texts after it.</summary>
public sealed record StartModule(string Id, string Label, string? Next) : FlowModule(Id, Label)
{
    public override IEnumerable<string?> Connections() => [Next];
}

/// <summary>
/// FL-1 Send message (online, omni-media: <see cref="Text"/>) or Play audio (phone 放音: an approved audio file,
/// <see cref="AudioFileId"/>, or text-to-speech <see cref="Text"/>).
/// </summary>
public sealed record MessageModule(string Id, string Label, string? Text, string? Next, string? AudioFileId = null) : FlowModule(Id, Label)
{
    public override IEnumerable<string?> Connections() => [Next];
}

/// <summary>
/// FL-3 Branch: a prompt, the prompt for an answer no option knows, and the options, each with its keywords
/// (several keywords may lead to one option). A phone branch also has a timeout with its prompt and a most
/// number of invalid inputs, after which the call ends.
/// </summary>
public sealed record BranchModule(
    string Id, string Label, string? Prompt, string? InvalidPrompt, IReadOnlyList<BranchOption> Options,
    string? TimeoutPrompt = null, int? TimeoutSeconds = null, int? MaxInvalidInputs = null) : FlowModule(Id, Label)
{
    public override IEnumerable<string?> Connections() => Options.Select(o => o.Next);
}

/// <summary>One way out of a Branch: its name (产品咨询) and the keywords that choose it ("1", "咨询").</summary>
public sealed record BranchOption(string Name, IReadOnlyList<string> Keywords, string? Next);

/// <summary>
/// FL-4 Transfer to agent: the skill group; the queue message (<c>${WaitNo}</c>) while all its agents are busy,
/// sent again whenever the position changes (RT-6); the failure message when none of its agents is online; the
/// success message (<c>${StaffNo}</c>) on connection. A phone transfer plays audio while transferring, loop
/// music while waiting, and an announcement to the caller on connection. <see cref="Next"/> is the End whose
/// settings apply once an agent is connected (FL-5).
/// </summary>
public sealed record TransferModule(
    string Id, string Label, string? SkillGroupId, string? QueueMessage, string? FailureMessage, string? SuccessMessage, string? Next,
    string? TransferAudioId = null, string? LoopMusicId = null, string? ConnectAnnouncement = null) : FlowModule(Id, Label)
{
    public override IEnumerable<string?> Connections() => [Next];
}

/// <summary>
/// FL-5 End. Online and omni-media: the customer reply timeout (after an agent's message, no reply within it ends
/// the conversation), the message sent then, and the message sent when the agent ends the conversation. A phone
/// End has no settings.
/// </summary>
public sealed record EndModule(string Id, string Label, int? ReplyTimeoutSeconds = null, string? TimeoutMessage = null, string? AgentEndedMessage = null)
    : FlowModule(Id, Label)
{
    public override IEnumerable<string?> Connections() => [];
}
