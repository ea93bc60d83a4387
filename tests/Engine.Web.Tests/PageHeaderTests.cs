using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

/// <summary>Every page and answer carries a Content Security Policy without inline scripts, and nosniff.</summary>
public sealed class PageHeaderTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task Every_page_forbids_inline_scripts_and_the_chat_may_be_framed_by_its_website_only()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com" });
        var key = (string)site["channel"]!["channelKey"]!;
        using var http = factory.CreateClient();
        foreach (var path in new[] { "/workbench", $"/chat/{key}", "/workbench.js", "/healthz", "/api/v1/me", "/swagger/index.html" })
        {
            var response = await http.GetAsync(path);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Contains(path.StartsWith("/chat/", StringComparison.Ordinal) ? "frame-ancestors 'self' https://shop.example.com http://shop.example.com" : "frame-ancestors 'self'", policy, StringComparison.Ordinal);
        }
        // A page of no website channel is not served; nor is the chat of another kind of channel.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/chat/nosuchchannel")).StatusCode);
        var pages = await http.GetStringAsync("/workbench");
        Assert.DoesNotContain("<script>", pages, StringComparison.Ordinal);
        Assert.Contains("<script type=\"module\" src=\"/workbench.js\"></script>", pages, StringComparison.Ordinal);
    }
}
