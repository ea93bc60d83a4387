using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

public sealed class AgentImportTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task AG4_the_template_is_a_csv_with_the_columns_to_fill_in()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var response = await tenant.Admin.GetAsync($"{tenant.Base}/agents/import-template");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("agents-template.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var text = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        Assert.StartsWith("name,staffNo,email,nickname,phone,role,skillGroups", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AG4_bad_rows_are_reported_by_line_and_reason_and_the_good_rows_are_added()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync(name: "Web chat");
        var (_, existing, _, _) = await tenant.AddAgentAsync();
        var csv = $"""
            name,staffNo,email,nickname,phone,role,skillGroups
            Good One,G1,good1@import.test,,,agent,Web chat
            ,G2,no-name@import.test,,,agent,
            Bad Mail,G3,not-an-email,,,agent,
            Dup Staff,G1,dup-staff@import.test,,,agent,
            Taken,G5,{existing},,,agent,
            Unknown Group,G6,unknown-group@import.test,,,agent,Nowhere
            Good Two,G7,good2@import.test,Two,123,admin,{group}
            """;
        var result = await ImportAsync(tenant, csv);

        var added = result["added"]!.AsArray();
        Assert.Equal([2, 8], added.Select(a => (int)a!["line"]!));
        Assert.All(added, a => Assert.False(string.IsNullOrEmpty((string?)a!["initialPassword"])));
        var errors = result["errors"]!.AsArray().Select(e => ((int)e!["line"]!, (string)e["field"]!)).ToList();
        Assert.Equal([(3, "name"), (4, "email"), (5, "staffNo"), (6, "email"), (7, "skillGroups")], errors);

        var agents = await tenant.Admin.GetOkAsync($"{tenant.Base}/agents?skillGroupId={group}");
        Assert.Equal(["Good One", "Good Two"], agents["items"]!.AsArray().Select(a => (string)a!["name"]!).Order());
    }

    [Fact]
    public async Task AG4_a_file_without_the_template_columns_is_refused_and_adds_nothing()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var response = await PostFileAsync(tenant, "who,what\nx,y\n", "agents.csv");
        await ApiClient.FieldErrorAsync(response, "file");
        Assert.Equal(1, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/agents"))["total"]!);
    }

    private static async Task<JsonNode> ImportAsync(TestTenant tenant, string csv)
    {
        using var response = await PostFileAsync(tenant, csv, "agents.csv");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private static Task<HttpResponseMessage> PostFileAsync(TestTenant tenant, string content, string fileName)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        return tenant.Admin.Http.PostAsync($"{tenant.Base}/agents/import", form);
    }
}
