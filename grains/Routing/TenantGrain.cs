using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// The tenant's routing configuration: per-mode settings (ST-1) and the directory of its skill groups, each with
/// its mode, which is fixed at creation (SG-1). A group's cap, overflow list and members are its own grain's
/// alone (<see cref="SkillGroupState"/>); the tenant asks for them where it needs them.
/// </summary>
public sealed class TenantState : Engine.Grains.Storage.IAuditedState
{
    public Dictionary<ServiceMode, RoutingSettings> ModeSettings { get; set; } = [];

    /// <summary>The tenant's groups and their modes. States stored before carried each group's cap and overflow too; those are read past.</summary>
    public Dictionary<string, GroupEntry> Groups { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A group in the tenant's directory: its mode, fixed at creation. A marketing account's group (MK-3) keeps routing
/// settings of its own: the tenant's mode settings (ST-1) do not reach it, and no skill group overflows into it.
/// </summary>
public sealed record GroupEntry(ServiceMode Mode, bool Account = false);

/// <summary>A group's configuration as its grain holds it.</summary>
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

    /// <summary>Every group of the tenant with its configuration, asked of the groups themselves.</summary>
    public async ValueTask<IReadOnlyDictionary<string, SkillGroupEntry>> GetSkillGroups()
    {
        var ids = S.Groups.Keys.ToArray();
        var entries = await Task.WhenAll(ids.Select(id => Entry(id).AsTask()));
        return ids.Zip(entries).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    /// <summary>SG-1..SG-3: creates a group in a mode (fixed), with its cap and overflow list.</summary>
    public async ValueTask CreateSkillGroup(string groupId, ServiceMode mode, int receptionCap, IReadOnlyList<string> overflowGroupIds)
    {
        if (S.Groups.ContainsKey(groupId)) throw new SkillGroupUnavailableException(groupId, "exists already");
        var overflow = CheckOverflow(groupId, mode, overflowGroupIds);
        await Group(groupId).Configure(mode, receptionCap, Settings(mode, overflow));
        S.Groups[groupId] = new GroupEntry(mode);
        await State.WriteStateAsync();
    }

    /// <summary>Changes a group's cap (SG-3) and overflow list; the mode stays.</summary>
    public async ValueTask UpdateSkillGroup(string groupId, int receptionCap, IReadOnlyList<string> overflowGroupIds)
    {
        if (!S.Groups.TryGetValue(groupId, out var existing)) throw new SkillGroupUnavailableException(groupId, "does not exist");
        await Group(groupId).Configure(existing.Mode, receptionCap, Settings(existing.Mode, CheckOverflow(groupId, existing.Mode, overflowGroupIds)));
    }

    /// <summary>SG-5: the group goes, its agents stay. Refused while another group of its mode overflows into it.</summary>
    public async ValueTask DeleteSkillGroup(string groupId)
    {
        if (!S.Groups.TryGetValue(groupId, out var deleted)) throw new SkillGroupUnavailableException(groupId, "does not exist");
        // The other groups of its mode are asked at once: a cold one activates, and one after another could take long.
        var others = S.Groups.Where(g => g.Key != groupId && g.Value.Mode == deleted.Mode).Select(g => Entry(g.Key).AsTask());
        if ((await Task.WhenAll(others)).Any(entry => entry.OverflowGroupIds.Contains(groupId)))
            throw new SkillGroupUnavailableException(groupId, "is an overflow group of another group; remove it there first");
        await Group(groupId).Delete();
        S.Groups.Remove(groupId);
        await State.WriteStateAsync();
    }

    /// <summary>
    /// MK-3: creates or reconfigures a marketing account's group (online): its reception cap and its own routing
    /// (round robin or idle allocation, last-agent priority). The same grains route it as any skill group.
    /// </summary>
    public async ValueTask ConfigureAccountGroup(string groupId, int receptionCap, RoutingSettings settings)
    {
        if (S.Groups.TryGetValue(groupId, out var existing) && !existing.Account) throw new SkillGroupUnavailableException(groupId, "is a skill group, not a marketing account's");
        await Group(groupId).Configure(ServiceMode.Online, receptionCap, (settings with { OverflowGroupIds = [] }).Validated());
        if (existing is not null) return;
        S.Groups[groupId] = new GroupEntry(ServiceMode.Online, Account: true);
        await State.WriteStateAsync();
    }

    /// <summary>ST-1: settings of one mode, applied to every group of that mode at once; each keeps its own cap and overflow list.</summary>
    public async ValueTask SetModeSettings(ServiceMode mode, RoutingSettings settings)
    {
        var validated = (settings with { OverflowGroupIds = [] }).Validated();
        S.ModeSettings[mode] = validated;
        await State.WriteStateAsync();
        foreach (var (groupId, group) in S.Groups.Where(g => g.Value.Mode == mode && !g.Value.Account))
        {
            var entry = await Entry(groupId);
            await Group(groupId).Configure(group.Mode, entry.ReceptionCap, Settings(mode, entry.OverflowGroupIds));
        }
    }

    private async ValueTask<SkillGroupEntry> Entry(string groupId)
    {
        var snapshot = await Group(groupId).GetSnapshot();
        return new SkillGroupEntry(snapshot.Mode, snapshot.ReceptionCap, snapshot.Settings.OverflowGroupIds);
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
            if (!S.Groups.TryGetValue(id, out var target) || target.Account) throw new RoutingSettingsException("overflowGroupIds", $"names unknown group '{id}'");
            if (target.Mode != mode) throw new RoutingSettingsException("overflowGroupIds", $"names group '{id}' of another service mode");
        }
        return overflowGroupIds.Distinct().ToArray();
    }
}
