using System.Net;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> count only from the proxies the configuration names. The
/// sign-in rate limit (3 a minute per client address here) shows which address the server saw, and the session
/// cookie's <c>secure</c> flag which scheme.
/// </summary>
public sealed class ForwardedHeadersTests(ForwardedHeadersTests.Server factory) : IClassFixture<ForwardedHeadersTests.Server>
{
    /// <summary>The server, with the address a request comes from set by the test (the in-process server has none of its own).</summary>
    public sealed class Server : EngineFactory
    {
        public const string SenderHeader = "X-Test-Sender";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, SenderAddress>());
        }

        /// <summary>Before the server's own pipeline: the connection's remote address from the test's header.</summary>
        private sealed class SenderAddress : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use((context, nextMiddleware) =>
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers[SenderHeader].ToString());
                    return nextMiddleware(context);
                });
                next(app);
            };
        }

        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Engine:SignIn:PermitsPerMinute"] = "3",
            ["Engine:ForwardedHeaders:KnownProxies:0"] = "10.0.0.5",
            ["Engine:ForwardedHeaders:KnownNetworks:0"] = "192.168.0.0/16",
        };
    }

    [Fact]
    public async Task A_known_proxy_forwards_each_clients_address_and_every_client_has_a_limit_of_its_own()
    {
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync("10.0.0.5", "203.0.113.1")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync("10.0.0.5", "203.0.113.1")).StatusCode);
        // Another client behind the same proxy, and one behind a proxy of the known network, are not limited by the first.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync("10.0.0.5", "203.0.113.2")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync("192.168.7.9", "203.0.113.3")).StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_from_anyone_else_are_ignored()
    {
        // Each request claims another client; the server counts them all against the sender's own address.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync("198.51.100.7", $"203.0.113.{10 + i}")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync("198.51.100.7", "203.0.113.99")).StatusCode);
    }

    [Fact]
    public async Task The_scheme_a_known_proxy_forwards_makes_the_session_cookie_secure_and_an_unknown_senders_does_not()
    {
        var viaProxy = await SignInAsync("10.0.0.5", "203.0.113.50", EngineFactory.OperatorPassword, proto: "https");
        Assert.Equal(HttpStatusCode.OK, viaProxy.StatusCode);
        Assert.Contains("secure", SessionCookie(viaProxy), StringComparison.OrdinalIgnoreCase);

        var direct = await SignInAsync("198.51.100.8", "203.0.113.51", EngineFactory.OperatorPassword, proto: "https");
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.DoesNotContain("secure", SessionCookie(direct), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_audit_trail_records_the_client_a_known_proxy_forwards_for_and_the_sender_of_anyone_else()
    {
        using var viaProxy = await OperatorAsync("10.0.0.5", "203.0.113.60");
        var tenant = (string)(await viaProxy.PostOkAsync("/api/v1/tenants", new { name = "Forwarded", adminName = "A", adminEmail = $"fwd-{Guid.NewGuid():N}@engine.test" }))["id"]!;
        using var direct = await OperatorAsync("198.51.100.9", "203.0.113.61");
        await direct.OkAsync(HttpMethod.Patch, $"/api/v1/tenants/{tenant}", new { name = "Forwarded, renamed" });

        var trail = (await direct.GetOkAsync($"/api/v1/audit?tenantId={tenant}"))["items"]!.AsArray();
        Assert.Equal("198.51.100.9", (string)trail.Single(r => (string)r!["method"]! == "PATCH")!["address"]!);
        Assert.Equal("203.0.113.60", (string)trail.Single(r => (string)r!["method"]! == "POST")!["address"]!);
    }

    /// <summary>The operator's cookie session, every request of which reaches the server from <paramref name="sender"/> forwarded for <paramref name="client"/>.</summary>
    private async Task<ApiClient> OperatorAsync(string sender, string client)
    {
        var api = ApiClient.Anonymous(factory);
        api.Http.DefaultRequestHeaders.Add(Server.SenderHeader, sender);
        api.Http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        var me = await api.PostOkAsync("/api/v1/sign-in", new { email = EngineFactory.OperatorEmail, password = EngineFactory.OperatorPassword });
        api.UseCsrf((string)me["csrfToken"]!);
        return api;
    }

    private static string SessionCookie(HttpResponseMessage response)
        => response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("engine.auth=", StringComparison.Ordinal));

    /// <summary>
    /// A sign-in as it reaches the server from <paramref name="sender"/>, claiming to forward for <paramref name="client"/>;
    /// without a password, as nobody (401), which locks no account out.
    /// </summary>
    private async Task<HttpResponseMessage> SignInAsync(string sender, string client, string? password = null, string? proto = null)
    {
        using var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sign-in")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { email = password is null ? $"nobody-{Guid.NewGuid():N}@engine.test" : EngineFactory.OperatorEmail, password = password ?? "Wrong#1234" }),
        };
        request.Headers.Add(Server.SenderHeader, sender);
        request.Headers.Add("X-Forwarded-For", client);
        if (proto is not null) request.Headers.Add("X-Forwarded-Proto", proto);
        return await http.SendAsync(request);
    }
}
