using Engine.Flows;
using Engine.Persistence.Admin;
using Engine.Routing;

namespace Engine.Web.Admin;

/// <summary>Runs the publish checks of <see cref="FlowValidator"/> against the tenant's skill groups and audio files.</summary>
public sealed class FlowChecks(SkillGroupStore groups, AudioStore audio)
{
    /// <summary>Throws <see cref="FlowInvalidException"/> (a 422 listing every problem) unless the flow may be published.</summary>
    public async Task RequireValidAsync(string tenantId, ServiceMode mode, FlowDefinition definition, CancellationToken cancellationToken)
    {
        var groupIds = definition.Modules.OfType<TransferModule>().Select(t => t.SkillGroupId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var audioIds = definition.Modules.SelectMany(AudioOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var references = new FlowReferences(
            (await groups.GetManyAsync(tenantId, groupIds, cancellationToken)).ToDictionary(g => g.Id, g => SkillGroupService.ParseMode(g.Mode), StringComparer.Ordinal),
            (await audio.ReviewsAsync(tenantId, audioIds, cancellationToken)).ToDictionary(a => a.Key, a => a.Value == "approved", StringComparer.Ordinal));
        var problems = FlowValidator.Validate(mode, definition, references);
        if (problems.Count > 0) throw new FlowInvalidException(problems);
    }

    private static IEnumerable<string?> AudioOf(FlowModule module) => module switch
    {
        MessageModule m => [m.AudioFileId],
        TransferModule t => [t.TransferAudioId, t.LoopMusicId],
        _ => [],
    };
}

/// <summary>A flow that may not be published: every problem, each naming its module (a 422).</summary>
public sealed class FlowInvalidException(IReadOnlyList<FlowProblem> problems)
    : Exception($"The flow cannot be published: {problems.Count} problem(s); each names its module.")
{
    public IReadOnlyList<FlowProblem> Problems { get; } = problems;
}
