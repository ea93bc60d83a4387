using Engine.Web.RealTime;
using Orleans.Dashboard;
using System.Text.Json.Serialization;
using Engine.Persistence;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Api;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Serilog;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = Pages.WebRoot });

builder.Services.AddSerilog((services, logs) => logs
    .ReadFrom.Configuration(builder.Configuration)
    .ReadFrom.Services(services)
    .Enrich.FromLogContext()
    .WriteTo.Console());

builder.Services.AddEngineStore(builder.Configuration);
builder.Services.AddEngineAdminStores();
builder.Services.AddEngineRealTime(builder.Configuration);
builder.AddEngineSilo();
builder.Services.AddEngineProblemDetails();
builder.Services.AddEngineAuth(builder.Configuration);
builder.Services.AddEngineForwardedHeaders(builder.Configuration);
// Keys for cookies, CSRF tokens and the outbox live with the data (shared by every server on PostgreSQL), encrypted at rest.
builder.Services.AddEngineDataProtection(builder.Configuration);
builder.Services.AddSingleton<TenantService>();
builder.Services.AddSingleton<AgentService>();
builder.Services.AddSingleton<SkillGroupService>();
builder.Services.AddSingleton<MarketingService>();
builder.Services.AddSingleton<DepartmentService>();
builder.Services.AddSingleton<PhraseLibrary>();
builder.Services.AddSingleton<FriendInvitations>();
builder.Services.AddSingleton<DashboardService>();
builder.Services.AddHostedService<DashboardRollupService>();
builder.Services.AddSingleton<Engine.Web.Admin.FlowChecks>();
builder.Services.AddSingleton<Engine.Web.Admin.ChannelCustomers>();
builder.Services.AddSingleton<InitialPasswords>();
builder.Services.AddSingleton<OutboxDispatcher>();
builder.Services.AddHttpClient(WebhookDispatcher.ClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
builder.Services.AddSingleton<WebhookDispatcher>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
if (!string.IsNullOrEmpty(builder.Configuration["Engine:Smtp:Host"])) builder.Services.AddSingleton<IMailSender, SmtpMailSender>();
// After the store's migrations and the silo: the seed creates rows and calls grains.
builder.Services.AddHostedService<StartupSeed>();
builder.Services.AddHealthChecks();
builder.Services.AddOpenApi();
builder.Services.Configure<JsonOptions>(o =>
{
    // Unknown fields are refused, so that a field such as tenantId or role in a body never passes unnoticed.
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
});
// Malformed bodies raise BadHttpRequestException, which becomes a problem naming the field.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

var app = builder.Build();

app.UseEngineForwardedHeaders();
app.UseEnginePages();

// Outside the exception handler, so that a request is logged with the status it was answered with.
app.UseSerilogRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseEngineAuth();
app.UseTenantScope();
app.MapHealthChecks("/healthz");
app.MapEngineHubs();
app.MapOpenApi();
app.UseSwaggerUI(o => o.SwaggerEndpoint("/openapi/v1.json", "Engine v1"));
app.MapEngineApi();
// The Orleans Dashboard: silos, grains and call rates, for the platform operator.
app.MapOrleansDashboard("/orleans").RequireAuthorization(Policies.Operator);
app.MapAuthApi();
app.MapTenantApi();
app.MapApiTokenApi();
app.MapAgentApi();
app.MapAgentImportApi();
app.MapSkillGroupApi();
app.MapConversationApi();
app.MapWorkApi();
app.MapSettingsApi();
app.MapAdminsApi();
app.MapConfigurationApi();
app.MapAudioApi();
app.MapAuditApi();
app.MapFlowApi();
app.MapChannelApi();
app.MapChannelEventsApi();
app.MapMediaApi();
app.MapMarketingAccountApi();
app.MapDepartmentApi();
app.MapPhraseApi();
app.MapFriendApi();
app.MapDashboardApi();
app.MapRecordApi();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
