using System.Text.Json;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// ST-1: routing settings per service mode, applied to every group of the mode at once. Every mode has
/// timeout transfer (RT-4); phone also allocation priority (RT-2), last-agent priority (RT-3), status
/// recovery (AS-7); phone and omni-media the after-call window (AS-6).
/// </summary>
public static class SettingsApi
{
    private static readonly Dictionary<string, AllocationPolicyKind> PolicyChoices = new(StringComparer.Ordinal)
    {
        ["longestIdle"] = AllocationPolicyKind.LongestIdle,
        ["fewestActive"] = AllocationPolicyKind.FewestActive,
        ["roundRobin"] = AllocationPolicyKind.RoundRobin,
    };

    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/v1/tenants/{tenantId}/settings").WithTags("Settings").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("settings", "mode");
        settings.MapGet("/{mode}", Get);
        settings.MapPut("/{mode}", Put);
        return app;
    }

    /// <summary>A mode's settings; on <c>PUT</c> a field left out takes its default.</summary>
    public sealed record ModeSettings(
        bool? TimeoutTransfer, int? TimeoutTransferSeconds, string? Policy = null, bool? LastAgentPriority = null,
        bool? StatusRecovery = null, int? StatusRecoverySeconds = null, int? AfterCallSeconds = null);

    public static async Task<Ok<ModeSettings>> Get(string tenantId, string mode, IGrainFactory grains)
    {
        var serviceMode = ModeOf(mode);
        var settings = await grains.Tenant(tenantId).GetModeSettings(serviceMode);
        return TypedResults.Ok(ViewOf(serviceMode, settings));
    }

    public static async Task<Ok<ModeSettings>> Put(string tenantId, string mode, ModeSettings request, IGrainFactory grains)
    {
        var serviceMode = ModeOf(mode);
        var checks = new Checks();
        var phone = serviceMode == ServiceMode.Phone;
        if (!phone)
        {
            if (request.Policy is not null) checks.Add("policy", "applies to phone groups only (ST-1)");
            if (request.LastAgentPriority is not null) checks.Add("lastAgentPriority", "applies to phone groups only (ST-1)");
            if (request.StatusRecovery is not null) checks.Add("statusRecovery", "applies to phone groups only (ST-1)");
            if (request.StatusRecoverySeconds is not null) checks.Add("statusRecoverySeconds", "applies to phone groups only (ST-1)");
        }
        if (serviceMode == ServiceMode.Online && request.AfterCallSeconds is not null) checks.Add("afterCallSeconds", "applies to phone and omni-media groups only (AS-6)");
        var defaults = new RoutingSettings();
        var policy = request.Policy is null ? defaults.Policy : checks.OneOf("policy", request.Policy, PolicyChoices);
        checks.ThrowIfAny();
        var settings = new RoutingSettings
        {
            Policy = policy,
            LastAgentPriority = request.LastAgentPriority ?? defaults.LastAgentPriority,
            TimeoutTransfer = request.TimeoutTransfer ?? defaults.TimeoutTransfer,
            TimeoutTransferSeconds = request.TimeoutTransferSeconds ?? defaults.TimeoutTransferSeconds,
            StatusRecovery = request.StatusRecovery ?? defaults.StatusRecovery,
            StatusRecoverySeconds = request.StatusRecoverySeconds ?? defaults.StatusRecoverySeconds,
            AfterCallSeconds = request.AfterCallSeconds ?? defaults.AfterCallSeconds,
        };
        try
        {
            settings.Validated();
        }
        catch (RoutingSettingsException e)
        {
            // The engine names fields as C# does; the API as JSON does.
            throw RequestValidationException.For(JsonNamingPolicy.CamelCase.ConvertName(e.Field), e.Reason);
        }
        await grains.Tenant(tenantId).SetModeSettings(serviceMode, settings);
        return TypedResults.Ok(ViewOf(serviceMode, settings));
    }

    private static ServiceMode ModeOf(string mode)
        => SkillGroupService.Modes.TryGetValue(mode, out var m) ? m : throw new NotFoundException($"Service mode '{mode}' (online, phone or omni)");

    private static ModeSettings ViewOf(ServiceMode mode, RoutingSettings s) => mode switch
    {
        ServiceMode.Phone => new ModeSettings(s.TimeoutTransfer, s.TimeoutTransferSeconds, PolicyChoices.First(p => p.Value == s.Policy).Key,
            s.LastAgentPriority, s.StatusRecovery, s.StatusRecoverySeconds, s.AfterCallSeconds),
        ServiceMode.Omni => new ModeSettings(s.TimeoutTransfer, s.TimeoutTransferSeconds, AfterCallSeconds: s.AfterCallSeconds),
        _ => new ModeSettings(s.TimeoutTransfer, s.TimeoutTransferSeconds),
    };
}
