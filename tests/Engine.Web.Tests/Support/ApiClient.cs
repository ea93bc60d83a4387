using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engine.Web.Tests.Support;

/// <summary>
/// A caller of the REST API: a cookie session (sign-in, then the CSRF token in every request) or a
/// bearer token. Requests return the response; <see cref="OkAsync"/> and friends read the JSON of a success.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ApiClient(HttpClient http) => Http = http;

    public HttpClient Http { get; }

    public static ApiClient Anonymous(WebApplicationFactory<Program> factory)
        => new(factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false, BaseAddress = factory.ClientOptions.BaseAddress }));

    public static ApiClient Bearer(WebApplicationFactory<Program> factory, string token)
    {
        var api = new ApiClient(factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false, BaseAddress = factory.ClientOptions.BaseAddress }));
        api.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    /// <summary>Signs in with a cookie; changes an initial password to <paramref name="newPassword"/> when given.</summary>
    public static async Task<ApiClient> SignInAsync(WebApplicationFactory<Program> factory, string email, string password, string? newPassword = null)
    {
        var api = Anonymous(factory);
        var me = await api.OkAsync(HttpMethod.Post, "/api/v1/sign-in", new { email, password });
        api.UseCsrf((string)me["csrfToken"]!);
        if (newPassword is not null)
        {
            me = await api.OkAsync(HttpMethod.Post, "/api/v1/me/password", new { currentPassword = password, newPassword });
            api.UseCsrf((string)me["csrfToken"]!);
        }
        return api;
    }

    public void UseCsrf(string token)
    {
        Http.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        Http.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is string raw) request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>The JSON body of a 2xx response; fails the test with the body otherwise.</summary>
    public async Task<JsonNode> OkAsync(HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public Task<JsonNode> GetOkAsync(string path) => OkAsync(HttpMethod.Get, path);

    public Task<JsonNode> PostOkAsync(string path, object? body = null) => OkAsync(HttpMethod.Post, path, body);

    /// <summary>Asserts the status and that the body is problem details; returns the problem.</summary>
    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)status, (int)problem["status"]!);
        return problem;
    }

    /// <summary>Asserts a 400 whose <c>errors</c> name <paramref name="field"/>; returns the reasons given for it.</summary>
    public static async Task<string> FieldErrorAsync(HttpResponseMessage response, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var problem = await ProblemAsync(response, status);
        var reasons = problem["errors"]?[field]?.AsArray();
        Assert.True(reasons is { Count: > 0 }, $"expected an error for '{field}': {problem.ToJsonString()}");
        return string.Join("; ", reasons!.Select(r => (string)r!));
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>A tenant made through the API: the operator creates it, its admin signs in and sets a password, then gets a bearer token.</summary>
public sealed record TestTenant(string Id, string AdminId, string AdminEmail, string AdminPassword, ApiClient Admin, string AdminToken) : IDisposable
{
    public const string Password = "Admin#2026pw";

    public string Base => $"/api/v1/tenants/{Id}";

    public static async Task<TestTenant> CreateAsync(WebApplicationFactory<Program> factory, string? name = null)
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var email = $"admin-{Guid.NewGuid():N}@tenant.test";
        var created = await op.PostOkAsync("/api/v1/tenants", new { name = name ?? "Tenant", adminName = "Admin", adminEmail = email });
        var admin = await ApiClient.SignInAsync(factory, email, (string)created["initialPassword"]!, Password);
        var id = (string)created["id"]!;
        var token = (string)(await admin.PostOkAsync($"/api/v1/tenants/{id}/api-tokens", new { name = "tests" }))["token"]!;
        return new TestTenant(id, (string)created["adminId"]!, email, Password, admin, token);
    }

    /// <summary>An agent (role agent unless told) with a bearer token acting as them.</summary>
    public async Task<(string Id, string Email, string InitialPassword, string Token)> AddAgentAsync(string[]? skillGroupIds = null, string role = "agent")
    {
        var n = Guid.NewGuid().ToString("N")[..10];
        var created = await Admin.PostOkAsync($"{Base}/agents", new { name = "Agent " + n, staffNo = n, email = $"{n}@agents.test", role, skillGroupIds = skillGroupIds ?? [] });
        var id = (string)created["agent"]!["id"]!;
        var token = (string)(await Admin.PostOkAsync($"{Base}/api-tokens", new { name = "agent " + n, userId = id }))["token"]!;
        return (id, $"{n}@agents.test", (string)created["initialPassword"]!, token);
    }

    public async Task<string> AddGroupAsync(string mode = "online", int? receptionCap = 2, string? name = null)
    {
        var created = await Admin.PostOkAsync($"{Base}/skill-groups", new { name = name ?? "Group " + Guid.NewGuid().ToString("N")[..6], mode, receptionCap });
        return (string)created["id"]!;
    }

    /// <summary>The web chat sample (docs/flows), published, sending 1 to <paramref name="products"/> and 2 to <paramref name="business"/>: its id.</summary>
    public async Task<string> PublishOnlineSampleAsync(string products, string business)
    {
        var online = System.Text.Json.JsonSerializer.SerializeToNode(
            Engine.Web.Admin.FlowSamples.Load(Engine.Web.Admin.FlowSamples.Online, new Dictionary<string, string> { ["产品咨询"] = products, ["商务合作"] = business }),
            Engine.Flows.FlowJson.Options)!.AsObject();
        online["publish"] = true;
        return (string)(await Admin.PostOkAsync($"{Base}/flows", online))["id"]!;
    }

    /// <summary>A website channel on <c>shop.example.com</c> running the web chat sample (1: products, 2: business): its key.</summary>
    public async Task<string> WebChatSiteAsync(string products, string business)
    {
        var flow = await PublishOnlineSampleAsync(products, business);
        var site = await Admin.PostOkAsync($"{Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com", flowId = flow });
        return (string)site["channel"]!["channelKey"]!;
    }

    public void Dispose() => Admin.Dispose();
}
