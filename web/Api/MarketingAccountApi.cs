using Engine.Marketing;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QRCoder;
using static Engine.Web.Api.MarketingBodies;

namespace Engine.Web.Api;

/// <summary>MK-1..MK-6: marketing accounts, their staff, rule, hours, robot mode and prompts, avatar and test link.</summary>
public static class MarketingAccountApi
{
    public static IEndpointRouteBuilder MapMarketingAccountApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/v1/tenants/{tenantId}/marketing-accounts").WithTags("Marketing accounts").RequireTenantMember()
            .RequireAuthorization(Policies.Admin).Audited("marketing-account", "accountId");
        accounts.MapGet("", List);
        accounts.MapPost("", Create);
        accounts.MapGet("/{accountId}", Get);
        accounts.MapPatch("/{accountId}", Update);
        accounts.MapDelete("/{accountId}", Delete);
        accounts.MapPut("/{accountId}/avatar", Avatar).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MediaApi.MaxRequestBytes));
        accounts.MapGet("/{accountId}/staff", Staff);
        accounts.MapPut("/{accountId}/staff", SetStaff);
        accounts.MapGet("/{accountId}/test-link", TestLink);
        accounts.MapGet("/{accountId}/test-link/qr.png", QrCode);
        return app;
    }

    public sealed record StaffBody(IReadOnlyList<string?>? AgentIds, IReadOnlyList<string?>? DepartmentIds);

    /// <summary>Who the account names, and the people that comes to (MK-2).</summary>
    public sealed record StaffView(IReadOnlyList<string> AgentIds, IReadOnlyList<string> DepartmentIds, IReadOnlyList<string> People);

    public sealed record AccountView(
        string Id, string Name, string? SubOrganization, string? AvatarUrl, string TestLink, RuleView Rule, IReadOnlyList<RangeView> Hours, string TimeZone,
        string Robot, AccountPrompts Prompts, int StaffCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>MK-6: the test link opens the account's web chat; the QR code carries the same address.</summary>
    public sealed record TestLinkView(string Url, string QrCodeUrl);

    public static async Task<Ok<IReadOnlyList<AccountView>>> List(string tenantId, string? keyword, string? subOrganization, HttpRequest request, MarketingStore accounts, TenantStore tenants, CancellationToken cancellationToken)
    {
        var rows = await accounts.ListAsync(tenantId, string.IsNullOrWhiteSpace(keyword) ? null : keyword.Trim(), string.IsNullOrWhiteSpace(subOrganization) ? null : subOrganization.Trim(), cancellationToken);
        var zone = await ZoneName(tenants, tenantId, cancellationToken);
        var views = new List<AccountView>();
        foreach (var row in rows) views.Add(ViewOf(row, request, zone, (await accounts.StaffAsync(tenantId, row.Id, cancellationToken)).Count));
        return TypedResults.Ok<IReadOnlyList<AccountView>>(views);
    }

    public static async Task<Created<AccountView>> Create(string tenantId, AccountBody body, HttpRequest request, MarketingService service, TenantStore tenants, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", body.Name, MaxNameCharacters);
        var subOrg = checks.OptionalText("subOrganization", body.SubOrganization, MaxSubOrgCharacters);
        var settings = Apply(checks, AccountSettings.Defaults, body);
        checks.ThrowIfAny();
        var row = await service.CreateAsync(tenantId, name, subOrg, settings, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/marketing-accounts/{row.Id}", ViewOf(row, request, await ZoneName(tenants, tenantId, cancellationToken), 0));
    }

    public static async Task<Ok<AccountView>> Get(string tenantId, string accountId, HttpRequest request, MarketingService service, MarketingStore accounts, TenantStore tenants, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, accountId, cancellationToken);
        return TypedResults.Ok(ViewOf(row, request, await ZoneName(tenants, tenantId, cancellationToken), (await accounts.StaffAsync(tenantId, accountId, cancellationToken)).Count));
    }

    public static async Task<Ok<AccountView>> Update(string tenantId, string accountId, AccountBody body, HttpRequest request, MarketingService service, MarketingStore accounts, TenantStore tenants, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, accountId, cancellationToken);
        var checks = new Checks();
        if (body.Name is not null) row.Name = checks.Text("name", body.Name, MaxNameCharacters);
        // An empty sub-organisation takes the account out of any.
        if (body.SubOrganization is not null) row.SubOrg = checks.OptionalText("subOrganization", body.SubOrganization, MaxSubOrgCharacters);
        var settings = Apply(checks, AccountSettings.FromJson(row.Settings), body);
        checks.ThrowIfAny();
        row = await service.UpdateAsync(row, settings, cancellationToken);
        return TypedResults.Ok(ViewOf(row, request, await ZoneName(tenants, tenantId, cancellationToken), (await accounts.StaffAsync(tenantId, accountId, cancellationToken)).Count));
    }

    public static async Task<NoContent> Delete(string tenantId, string accountId, MarketingService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(tenantId, accountId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>MK-1: the avatar, a jpg, jpeg or png image (by its content) of at most 2 MB, as multipart <c>file</c>.</summary>
    public static async Task<Ok<AccountView>> Avatar(string tenantId, string accountId, HttpRequest request, MarketingService service, MarketingStore accounts, TenantStore tenants, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, accountId, cancellationToken);
        var (bytes, type) = await MediaApi.ReadImageAsync(request, gif: false, cancellationToken);
        row = await service.SetAvatarAsync(row, bytes, type, cancellationToken);
        return TypedResults.Ok(ViewOf(row, request, await ZoneName(tenants, tenantId, cancellationToken), (await accounts.StaffAsync(tenantId, accountId, cancellationToken)).Count));
    }

    public static async Task<Ok<StaffView>> Staff(string tenantId, string accountId, MarketingService service, MarketingStore accounts, CancellationToken cancellationToken)
    {
        await service.RequireAsync(tenantId, accountId, cancellationToken);
        var choice = await accounts.StaffChoiceAsync(accountId, cancellationToken);
        return TypedResults.Ok(new StaffView(choice.AgentIds, choice.DepartmentIds, await accounts.StaffAsync(tenantId, accountId, cancellationToken)));
    }

    /// <summary>MK-2: replaces who the account names: agents and whole departments, at most 200 people in all.</summary>
    public static async Task<Ok<StaffView>> SetStaff(string tenantId, string accountId, StaffBody body, MarketingService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var agents = checks.Ids("agentIds", body.AgentIds, MarketingService.MaxStaff) ?? [];
        var departments = checks.Ids("departmentIds", body.DepartmentIds, DepartmentStore.MaxPerTenant) ?? [];
        checks.ThrowIfAny();
        var choice = new StaffChoice(agents, departments);
        var people = await service.SetStaffAsync(tenantId, accountId, choice, cancellationToken);
        return TypedResults.Ok(new StaffView(agents, departments, people));
    }

    public static async Task<Ok<TestLinkView>> TestLink(string tenantId, string accountId, HttpRequest request, MarketingService service, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, accountId, cancellationToken);
        return TypedResults.Ok(new TestLinkView(ChatUrl(request, row), $"/api/v1/tenants/{tenantId}/marketing-accounts/{accountId}/test-link/qr.png"));
    }

    /// <summary>MK-6: the test link as a QR code, a PNG to download.</summary>
    public static async Task<FileContentHttpResult> QrCode(string tenantId, string accountId, HttpRequest request, MarketingService service, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, accountId, cancellationToken);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(ChatUrl(request, row), QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);
        return TypedResults.File(png, "image/png", $"{row.Name}-test-link.png");
    }

    private static string ChatUrl(HttpRequest request, MarketingAccountRow row) => $"{request.Scheme}://{request.Host}{request.PathBase}/chat/{row.TestKey}";

    private static async Task<string> ZoneName(TenantStore tenants, string tenantId, CancellationToken cancellationToken)
        => (await tenants.GetAsync(tenantId, cancellationToken))?.TimeZone ?? TenantRow.DefaultTimeZone;

    private static AccountView ViewOf(MarketingAccountRow row, HttpRequest request, string zone, int staffCount)
    {
        var settings = AccountSettings.FromJson(row.Settings);
        return new AccountView(
            row.Id, row.Name, row.SubOrg, row.AvatarId is null ? null : $"{MediaApi.Path}/{row.AvatarId}", ChatUrl(request, row), MarketingBodies.ViewOf(settings.Rule),
            MarketingBodies.ViewOf(settings.Hours), zone, RobotName(settings.Robot), settings.Prompts, staffCount, UnixTime.At(row.CreatedAt), UnixTime.At(row.UpdatedAt));
    }
}
