using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>The tenant's routing configuration: per-mode settings (ST-1) and its skill groups. The top of the call tree.</summary>
public sealed class TenantState
{
    public Dictionary<ServiceMode, RoutingSettings> ModeSettings { get; set; } = [];
    public Dictionary<string, SkillGroupEntry> Groups { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable]
public sealed record SkillGroupEntry(ServiceMode Mode, int ReceptionCap, IReadOnlyList<string> OverflowGroupIds);

[GrainType(nameof(TenantGrain))]
public sealed class TenantGrain([PersistentState("state", EngineGrainStorage.Name)] IPersistentState<TenantState> state, TimeProvider time)
    : EngineGrain<TenantState>(state, time), ITenantGrain
{
    /// <summary>The one key of a tenant's TenantGrain, after the tenant.</summary>
    public const string SingletonKey = "tenant";

    private TenantState S => State.State;

    public ValueTask<RoutingSettings> GetModeSettings(ServiceMode mode) => new(Settings(mode));

    public ValueTask<IReadOnlyDictionary<string, SkillGroupEntry>> GetSkillGroups()
        => new(new Dictionary<string, SkillGroupEntry>(S.Groups));

    /// <summary>SG-1..SG-3: creates a group in a mode (fixed), with its cap and overflow list.</summary>
    public async ValueTask CreateSkillGroup(string groupId, ServiceMode mode, int receptionCap, IReadOnlyList<string> overflowGroupIds)
    {
        if (S.Groups.ContainsKey(groupId)) throw new SkillGroupUnavailableException(groupId, "exists already");
        var entry = new SkillGroupEntry(mode, mode.EffectiveCap(receptionCap), CheckOverflow(groupId, mode, overflowGroupIds));
        await Group(groupId).Configure(mode, receptionCap, Settings(mode, entry.OverflowGroupIds));
        S.Groups[groupId] = entry;
        await State.WriteStateAsync();
    }

    /// <summary>Changes a group's cap (SG-3) and overflow list; the mode stays.</summary>
    public async ValueTask UpdateSkillGroup(string groupId, int receptionCap, IReadOnlyList<string> overflowGroupIds)
    {
        if (!S.Groups.TryGetValue(groupId, out var existing)) throw new SkillGroupUnavailableException(groupId, "does not exist");
        var entry = existing with { ReceptionCap = existing.Mode.EffectiveCap(receptionCap), OverflowGroupIds = CheckOverflow(groupId, existing.Mode, overflowGroupIds) };
        await Group(groupId).Configure(entry.Mode, receptionCap, Settings(entry.Mode, entry.OverflowGroupIds));
        S.Groups[groupId] = entry;
        await State.WriteStateAsync();
    }

    /// <summary>SG-5: the group goes, its agents stay.</summary>
    public async ValueTask DeleteSkillGroup(string groupId)
    {
        if (!S.Groups.ContainsKey(groupId)) throw new SkillGroupUnavailableException(groupId, "does not exist");
        if (S.Groups.Any(g => g.Key != groupId && g.Value.OverflowGroupIds.Contains(groupId)))
            throw new SkillGroupUnavailableException(groupId, "is an overflow group of another group; remove it there first");
        await Group(groupId).Delete();
        S.Groups.Remove(groupId);
        await State.WriteStateAsync();
    }

    /// <summary>ST-1: settings of one mode, applied to every group of that mode at once.</summary>
    public async ValueTask SetModeSettings(ServiceMode mode, RoutingSettings settings)
    {
        var validated = (settings with { OverflowGroupIds = [] }).Validated();
        S.ModeSettings[mode] = validated;
        await State.WriteStateAsync();
        foreach (var (groupId, entry) in S.Groups.Where(g => g.Value.Mode == mode))
            await Group(groupId).Configure(entry.Mode, entry.ReceptionCap, Settings(mode, entry.OverflowGroupIds));
    }

    private ISkillGroupGrain Group(string groupId) => GrainFactory.SkillGroup(Tenant, groupId);

    private RoutingSettings Settings(ServiceMode mode, IReadOnlyList<string>? overflow = null)
    {
        var settings = S.ModeSettings.GetValueOrDefault(mode) ?? new RoutingSettings();
        return overflow is null ? settings : settings with { OverflowGroupIds = overflow };
    }

    private IReadOnlyList<string> CheckOverflow(string groupId, ServiceMode mode, IReadOnlyList<string> overflowGroupIds)
    {
        foreach (var id in overflowGroupIds)
        {
            if (id == groupId) throw new RoutingSettingsException("overflowGroupIds", "must not contain the group itself");
            if (!S.Groups.TryGetValue(id, out var target)) throw new RoutingSettingsException("overflowGroupIds", $"names unknown group '{id}'");
            if (target.Mode != mode) throw new RoutingSettingsException("overflowGroupIds", $"names group '{id}' of another service mode");
        }
        return overflowGroupIds.Distinct().ToArray();
    }
}
