using Engine.Routing;

namespace Engine.Flows;

/// <summary>One reason a flow cannot be published: the module (null for the flow as a whole), the field and why.</summary>
public sealed record FlowProblem(string? ModuleId, string Field, string Reason);

/// <summary>What a flow refers to outside itself: the tenant's skill groups with their modes, and its audio files with whether each is approved (ST-4).</summary>
public sealed record FlowReferences(IReadOnlyDictionary<string, ServiceMode> SkillGroups, IReadOnlyDictionary<string, bool> AudioFiles)
{
    public static readonly FlowReferences None = new(new Dictionary<string, ServiceMode>(), new Dictionary<string, bool>());
}

/// <summary>
/// The checks a flow must pass to be published (FL-1..FL-5), all at once: every problem is reported, each naming
/// its module. A flow that passes starts in one Start, reaches every module from it, ends every path in an End,
/// never loops without waiting for the customer, and refers only to groups of its mode and approved audio.
/// </summary>
public static class FlowValidator
{
    public const int MaxModules = 200;
    public const int MaxText = 1000;
    public const int MaxLabel = 50;
    public const int MaxTimeoutSeconds = 600;
    public const int MaxInvalidInputsLimit = 10;

    public static IReadOnlyList<FlowProblem> Validate(ServiceMode mode, FlowDefinition flow, FlowReferences references)
    {
        var problems = new List<FlowProblem>();
        var modules = flow.Modules;
        if (modules.Count > MaxModules) problems.Add(new(null, "modules", $"holds {modules.Count} modules; a flow has at most {MaxModules}"));

        var byId = new Dictionary<string, FlowModule>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            if (string.IsNullOrWhiteSpace(module.Id)) problems.Add(new(null, "modules", "a module has no id"));
            else if (!byId.TryAdd(module.Id, module)) problems.Add(new(module.Id, "id", "is used by more than one module"));
        }

        var starts = modules.OfType<StartModule>().ToList();
        if (starts.Count == 0) problems.Add(new(null, "modules", "has no Start module; a flow has exactly one"));
        foreach (var extra in starts.Skip(1)) problems.Add(new(extra.Id, "type", "is a second Start module; a flow has exactly one"));

        foreach (var module in modules)
        {
            if (string.IsNullOrWhiteSpace(module.Label)) problems.Add(new(module.Id, "label", "is empty; every module has a label (FL-1)"));
            else if (module.Label.Length > MaxLabel) problems.Add(new(module.Id, "label", $"is longer than {MaxLabel} characters"));
            CheckConnections(module, byId, problems);
            CheckSettings(mode, module, references, problems);
        }

        if (starts.Count > 0) CheckPaths(starts[0], byId, problems);
        return problems;
    }

    private static void CheckConnections(FlowModule module, Dictionary<string, FlowModule> byId, List<FlowProblem> problems)
    {
        var index = 0;
        foreach (var next in module.Connections())
        {
            var field = module is BranchModule ? $"options[{index}].next" : "next";
            if (next is null) problems.Add(new(module.Id, field, "leads nowhere; every path ends in an End module (FL-1)"));
            else if (!byId.TryGetValue(next, out var target)) problems.Add(new(module.Id, field, $"leads to '{next}', which is not a module of this flow"));
            else if (target is StartModule) problems.Add(new(module.Id, field, "leads back to Start; Start begins a flow only"));
            else if (module is TransferModule && target is not EndModule) problems.Add(new(module.Id, field, "must lead to an End, whose settings apply once an agent is connected (FL-5)"));
            index++;
        }
    }

    private static void CheckSettings(ServiceMode mode, FlowModule module, FlowReferences references, List<FlowProblem> problems)
    {
        var phone = mode == ServiceMode.Phone;
        switch (module)
        {
            case MessageModule message when phone:
                if (message.AudioFileId is null && string.IsNullOrWhiteSpace(message.Text))
                    problems.Add(new(module.Id, "audioFileId", "is missing: Play audio needs an approved audio file or text to speak (FL-1)"));
                CheckAudio(module.Id, "audioFileId", message.AudioFileId, references, problems);
                CheckText(module.Id, "text", message.Text, required: false, problems);
                break;
            case MessageModule message:
                CheckText(module.Id, "text", message.Text, required: true, problems);
                if (message.AudioFileId is not null) problems.Add(new(module.Id, "audioFileId", "applies to phone flows only; online and omni-media flows send text"));
                break;
            case BranchModule branch:
                CheckText(module.Id, "prompt", branch.Prompt, required: true, problems);
                CheckText(module.Id, "invalidPrompt", branch.InvalidPrompt, required: true, problems);
                CheckOptions(branch, problems);
                if (phone)
                {
                    if (branch.TimeoutSeconds is not { } seconds) problems.Add(new(module.Id, "timeoutSeconds", "is missing: a phone branch waits a set time for digits (FL-3)"));
                    else if (seconds is < 1 or > MaxTimeoutSeconds) problems.Add(new(module.Id, "timeoutSeconds", $"must be 1–{MaxTimeoutSeconds} seconds"));
                    if (branch.MaxInvalidInputs is not { } max) problems.Add(new(module.Id, "maxInvalidInputs", "is missing: a phone branch hangs up after a set number of invalid inputs (FL-3)"));
                    else if (max is < 1 or > MaxInvalidInputsLimit) problems.Add(new(module.Id, "maxInvalidInputs", $"must be 1–{MaxInvalidInputsLimit}"));
                    CheckText(module.Id, "timeoutPrompt", branch.TimeoutPrompt, required: true, problems);
                }
                else if (branch.TimeoutSeconds is not null || branch.MaxInvalidInputs is not null || branch.TimeoutPrompt is not null)
                {
                    problems.Add(new(module.Id, "timeoutSeconds", "a timeout and a most number of invalid inputs apply to phone branches only (FL-3)"));
                }
                break;
            case TransferModule transfer:
                if (transfer.SkillGroupId is null) problems.Add(new(module.Id, "skillGroupId", "is missing: a transfer names a skill group (FL-4)"));
                else if (!references.SkillGroups.TryGetValue(transfer.SkillGroupId, out var groupMode)) problems.Add(new(module.Id, "skillGroupId", $"names skill group '{transfer.SkillGroupId}', which does not exist"));
                else if (groupMode != mode) problems.Add(new(module.Id, "skillGroupId", $"names a {Name(groupMode)} skill group; this is a {Name(mode)} flow"));
                CheckText(module.Id, "queueMessage", transfer.QueueMessage, required: false, problems);
                CheckText(module.Id, "failureMessage", transfer.FailureMessage, required: false, problems);
                CheckText(module.Id, "successMessage", transfer.SuccessMessage, required: false, problems);
                if (phone)
                {
                    CheckAudio(module.Id, "transferAudioId", transfer.TransferAudioId, references, problems);
                    CheckAudio(module.Id, "loopMusicId", transfer.LoopMusicId, references, problems);
                    CheckText(module.Id, "connectAnnouncement", transfer.ConnectAnnouncement, required: false, problems);
                }
                else if (transfer.TransferAudioId is not null || transfer.LoopMusicId is not null || transfer.ConnectAnnouncement is not null)
                {
                    problems.Add(new(module.Id, "transferAudioId", "transfer audio, loop music and the announcement apply to phone flows only (FL-4)"));
                }
                break;
            case EndModule end when phone:
                if (end.ReplyTimeoutSeconds is not null || end.TimeoutMessage is not null || end.AgentEndedMessage is not null)
                    problems.Add(new(module.Id, "replyTimeoutSeconds", "a phone End has no settings (FL-5)"));
                break;
            case EndModule end:
                if (end.ReplyTimeoutSeconds is { } reply && (reply < 1 || reply > 48 * 3600)) problems.Add(new(module.Id, "replyTimeoutSeconds", "must be 1 second to 48 hours"));
                CheckText(module.Id, "timeoutMessage", end.TimeoutMessage, required: false, problems);
                CheckText(module.Id, "agentEndedMessage", end.AgentEndedMessage, required: false, problems);
                break;
        }
    }

    private static void CheckOptions(BranchModule branch, List<FlowProblem> problems)
    {
        if (branch.Options.Count == 0) problems.Add(new(branch.Id, "options", "is empty: a branch has at least one option with keywords (FL-3)"));
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < branch.Options.Count; i++)
        {
            var option = branch.Options[i];
            if (string.IsNullOrWhiteSpace(option.Name)) problems.Add(new(branch.Id, $"options[{i}].name", "is empty"));
            var keywords = option.Keywords.Select(Keywords.Normalize).ToList();
            if (keywords.Count == 0 || keywords.All(k => k.Length == 0)) problems.Add(new(branch.Id, $"options[{i}].keywords", "is empty: an option is chosen by at least one keyword (FL-3)"));
            foreach (var keyword in keywords.Where(k => k.Length > 0))
            {
                if (seen.TryGetValue(keyword, out var first))
                    problems.Add(new(branch.Id, $"options[{i}].keywords", $"'{keyword}' is also a keyword of {(first == i ? "this option" : $"options[{first}]")}; each keyword leads to one place"));
                else seen[keyword] = i;
            }
        }
    }

    /// <summary>Every module reachable from Start; every reachable module able to reach an End; no loop that never waits for the customer.</summary>
    private static void CheckPaths(StartModule start, Dictionary<string, FlowModule> byId, List<FlowProblem> problems)
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([start.Id]);
        while (pending.TryPop(out var id))
        {
            if (!byId.TryGetValue(id, out var module) || !reachable.Add(id)) continue;
            foreach (var next in module.Connections())
                if (next is not null && byId.ContainsKey(next)) pending.Push(next);
        }
        foreach (var module in byId.Values.Where(m => !reachable.Contains(m.Id) && m is not StartModule))
            problems.Add(new(module.Id, "id", "cannot be reached from Start"));

        // Which modules reach an End: fixed point over the connections. A connection to nowhere is its own
        // problem, already reported; the modules before it are not reported again for it.
        var endsWell = new HashSet<string>(
            byId.Values.Where(m => m is EndModule || m.Connections().Any(n => n is null || !byId.ContainsKey(n))).Select(m => m.Id), StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var module in byId.Values)
                if (!endsWell.Contains(module.Id) && module.Connections().Any(n => n is not null && endsWell.Contains(n)))
                    changed = endsWell.Add(module.Id) || changed;
        }
        foreach (var module in byId.Values.Where(m => reachable.Contains(m.Id) && !endsWell.Contains(m.Id)))
            problems.Add(new(module.Id, "next", "starts paths that never reach an End module (FL-1)"));

        // A loop of modules that never wait (messages only) would repeat forever.
        foreach (var module in byId.Values.Where(m => m is MessageModule && reachable.Contains(m.Id)))
            if (LoopsWithoutWaiting(module, byId)) problems.Add(new(module.Id, "next", "is in a loop without a Branch: it would repeat forever without waiting for the customer"));
    }

    private static bool LoopsWithoutWaiting(FlowModule from, Dictionary<string, FlowModule> byId)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = from;
        while (current is MessageModule { Next: { } next } && byId.TryGetValue(next, out var following))
        {
            if (following.Id == from.Id) return true;
            if (!seen.Add(following.Id)) return false;
            current = following;
        }
        return false;
    }

    private static void CheckText(string moduleId, string field, string? text, bool required, List<FlowProblem> problems)
    {
        if (text is null)
        {
            if (required) problems.Add(new(moduleId, field, "is missing"));
        }
        else if (string.IsNullOrWhiteSpace(text)) problems.Add(new(moduleId, field, "is empty"));
        else if (text.Length > MaxText) problems.Add(new(moduleId, field, $"is longer than {MaxText} characters"));
    }

    private static void CheckAudio(string moduleId, string field, string? audioFileId, FlowReferences references, List<FlowProblem> problems)
    {
        if (audioFileId is null) return;
        if (!references.AudioFiles.TryGetValue(audioFileId, out var approved)) problems.Add(new(moduleId, field, $"names audio file '{audioFileId}', which does not exist"));
        else if (!approved) problems.Add(new(moduleId, field, $"names audio file '{audioFileId}', which is not approved (ST-4)"));
    }

    private static string Name(ServiceMode mode) => mode switch
    {
        ServiceMode.Phone => "phone",
        ServiceMode.Omni => "omni-media",
        _ => "online",
    };
}
