using Engine.Persistence.Admin;
using Engine.Routing;
using Engine.Web.Auth;

namespace Engine.Web.Admin;

/// <summary>
/// On start: the platform operator from <c>Engine:Operator:Email</c> / <c>Engine:Operator:Password</c>
/// when no operator exists yet. Without them, on a first start (no tenant yet, <c>Engine:Demo:Seed</c>
/// not false), a demo: an operator, a tenant with an admin, three agents, four skill groups and the two sample
/// flows of <c>docs/flows</c>, published. Every generated password is printed once.
/// </summary>
public sealed partial class StartupSeed(
    IConfiguration configuration,
    UserStore users,
    TenantStore tenants,
    TenantService tenantService,
    AgentService agents,
    SkillGroupService groups,
    FlowStore flows,
    FlowChecks flowChecks,
    ChannelStore channels,
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider protection,
    Passwords passwords,
    TimeProvider time,
    ILogger<StartupSeed> logger) : IHostedService
{
    public const string DemoOperatorEmail = "operator@engine.local";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = await EnsureOperatorAsync(cancellationToken);
        // A server whose operator comes from configuration is a real one: no demo tenant there.
        if (!configured && configuration.GetValue("Engine:Demo:Seed", true) && await tenants.CountAsync(cancellationToken) == 0)
            await SeedDemoAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when the operator comes from configuration.</summary>
    private async Task<bool> EnsureOperatorAsync(CancellationToken cancellationToken)
    {
        var email = configuration["Engine:Operator:Email"]?.Trim().ToLowerInvariant();
        var password = configuration["Engine:Operator:Password"];
        var configured = !string.IsNullOrEmpty(email) && !string.IsNullOrEmpty(password);
        if (!configured && !configuration.GetValue("Engine:Demo:Seed", true)) return false;
        email = configured ? email! : DemoOperatorEmail;
        if (await users.FindByEmailAsync(email, cancellationToken) is not null) return configured;
        if (configured && Passwords.Problem(password!, email) is { } problem)
            throw new InvalidOperationException($"Engine:Operator:Password {problem} (TN-4).");
        var initial = configured ? password! : Passwords.Generate();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new UserRow
        {
            Id = Ids.New(), Email = email, Name = "Platform operator", Role = Roles.Operator,
            PasswordHash = passwords.Hash(initial), MustChangePassword = configured ? 0 : 1, CreatedAt = now, UpdatedAt = now,
        };
        await users.InsertAllAsync([(row, [])], [], cancellationToken);
        if (configured) LogOperatorFromConfiguration(logger, email);
        else LogSignIn(logger, "platform operator", email, initial);
        return configured;
    }

    private async Task SeedDemoAsync(CancellationToken cancellationToken)
    {
        var (tenant, admin, adminPassword) = await tenantService.CreateAsync("Demo", "Demo Admin", "admin@demo.engine.local", null, cancellationToken);
        var (chat, _) = await groups.CreateAsync(tenant.Id, "Web chat", ServiceMode.Online, 3, [], cancellationToken);
        var (hotline, _) = await groups.CreateAsync(tenant.Id, "Hotline", ServiceMode.Phone, 1, [], cancellationToken);
        var (products, _) = await groups.CreateAsync(tenant.Id, "产品咨询", ServiceMode.Online, 3, [], cancellationToken);
        var (business, _) = await groups.CreateAsync(tenant.Id, "商务合作", ServiceMode.Online, 3, [], cancellationToken);
        var created = await agents.CreateAsync(tenant.Id,
        [
            new NewAgent("Alice Chen", "A001", "alice@demo.engine.local", "Alice", null, Roles.Agent, [chat.Id, products.Id]),
            new NewAgent("Bob Li", "A002", "bob@demo.engine.local", "Bob", null, Roles.Agent, [chat.Id, hotline.Id, business.Id]),
            new NewAgent("Carol Wang", "A003", "carol@demo.engine.local", "Carol", null, Roles.Agent, [hotline.Id]),
        ], cancellationToken);
        var groupIds = new Dictionary<string, string> { ["产品咨询"] = products.Id, ["商务合作"] = business.Id, ["热线"] = hotline.Id };
        string? onlineFlow = null;
        foreach (var sample in new[] { FlowSamples.Online, FlowSamples.Ivr })
        {
            // The samples are checked like any flow an admin publishes: a broken one stops the seed.
            var document = FlowSamples.Load(sample, groupIds);
            await flowChecks.RequireValidAsync(tenant.Id, document.Mode, document.Definition, cancellationToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var flowId = Ids.New();
            if (sample == FlowSamples.Online) onlineFlow = flowId;
            await flows.InsertAsync(new FlowRow
            {
                Id = flowId, TenantId = tenant.Id, Name = document.Name, Mode = SkillGroupService.ModeName(document.Mode), Version = 1,
                Status = FlowStore.StatusName(Engine.Flows.FlowStatus.Published), Definition = Engine.Flows.FlowJson.Write(document.Definition), CreatedAt = now, UpdatedAt = now,
            }, cancellationToken);
        }
        // A website channel running the web chat sample, so that /chat/{key} works from the first start.
        var site = await Engine.Web.Api.ChannelApi.Create(tenant.Id, new Engine.Web.Api.ChannelApi.NewChannel("website", "Demo website", null, null, null, "localhost", null, null, onlineFlow, null),
            channels, flows, protection, time, cancellationToken);
        LogDemoTenant(logger, tenant.Id);
        LogDemoChat(logger, site.Value!.Channel.ChannelKey);
        LogSignIn(logger, "demo admin", admin.Email, adminPassword);
        foreach (var (user, password) in created) LogSignIn(logger, "demo agent", user.Email, password);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Sign in as {Who}: {Email} / {Password} (an initial password: change it at the first sign-in)")]
    private static partial void LogSignIn(ILogger logger, string who, string email, string password);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Platform operator {Email} created from configuration")]
    private static partial void LogOperatorFromConfiguration(ILogger logger, string email);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Demo web chat: /chat/{ChannelKey} (the workbench: /workbench)")]
    private static partial void LogDemoChat(ILogger logger, string channelKey);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Demo tenant {TenantId} seeded: an admin, three agents, skill groups 'Web chat', '产品咨询', '商务合作' (online) and 'Hotline' (phone), the sample flows published")]
    private static partial void LogDemoTenant(ILogger logger, string tenantId);
}
