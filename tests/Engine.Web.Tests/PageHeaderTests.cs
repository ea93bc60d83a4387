using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

/// <summary>Every page and answer carries a Content Security Policy without inline scripts or styles, and nosniff.</summary>
public sealed class PageHeaderTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task Every_page_forbids_inline_scripts_and_styles_and_the_chat_may_be_framed_by_its_website_only()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com" });
        var key = (string)site["channel"]!["channelKey"]!;
        using var http = factory.CreateClient();
        foreach (var path in new[] { "/workbench", "/console/dashboard", $"/chat/{key}", "/workbench.js", "/dashboard.js", "/healthz", "/api/v1/me", "/swagger/index.html" })
        {
            var response = await http.GetAsync(path);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            Assert.Contains("style-src 'self';", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Contains(path.StartsWith("/chat/", StringComparison.Ordinal) ? "frame-ancestors 'self' https://shop.example.com http://shop.example.com" : "frame-ancestors 'self'", policy, StringComparison.Ordinal);
        }
        // A page of no website channel is not served; nor is the chat of another kind of channel.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/chat/nosuchchannel")).StatusCode);
        // The pages load their scripts from files, and style nothing inline.
        foreach (var (path, module) in new[] { ("/workbench", "/workbench.js"), ("/console/dashboard", "/dashboard.js") })
        {
            var page = await http.GetStringAsync(path);
            Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
            Assert.DoesNotContain(" style=", page, StringComparison.Ordinal);
            Assert.Contains($"<script type=\"module\" src=\"{module}\"></script>", page, StringComparison.Ordinal);
        }
        // The dashboard's charts come from this server: Chart.js from npm, copied beside the pages by the build.
        Assert.Contains("<script src=\"/lib/chartjs/chart.umd.min.js\"></script>", await http.GetStringAsync("/console/dashboard"), StringComparison.Ordinal);
        var chart = await http.GetAsync("/lib/chartjs/chart.umd.min.js");
        Assert.Equal(System.Net.HttpStatusCode.OK, chart.StatusCode);
        Assert.StartsWith("/*!\n * Chart.js v4.6.1", await chart.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
