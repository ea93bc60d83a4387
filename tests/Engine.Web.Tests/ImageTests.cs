using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Api;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Web.Tests;

/// <summary>
/// Images in conversations: jpg, png or gif by their content, at most 2 MB, served from the server as attachments with
/// <c>nosniff</c>; an agent sends them in chats they hold, a web chat visitor once with the group.
/// </summary>
public sealed class ImageTests(KestrelEngineFactory factory) : IClassFixture<KestrelEngineFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static MultipartFormDataContent Form(byte[] bytes, string fileName)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", fileName } };
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0 }, "image/gif")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39 }, null)]
    [InlineData(new byte[] { 0x3C, 0x73, 0x76, 0x67, 0x3E }, null)]
    [InlineData(new byte[] { 0x42, 0x4D, 0, 0, 0, 0 }, null)]
    public void An_image_is_told_by_its_first_bytes_not_its_name(byte[] content, string? type)
        => Assert.Equal(type, ImageFormats.Detect(content));

    [Fact]
    public async Task An_agent_sends_an_image_in_their_chat_and_it_is_served_as_an_attachment_of_its_real_type()
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        var (_, _, _, otherToken) = await tenant.AddAgentAsync([]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var conversationId = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v-image", mode = "online" }))["id"]!;
        await agent.PostOkAsync($"{tenant.Base}/conversations/{conversationId}/answer");
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var images = $"{tenant.Base}/conversations/{conversationId}/images";

        var sent = await http.PostAsync(images, Form(Png, "photo.gif"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var ack = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement;
        var url = ack.GetProperty("url").GetString()!;
        Assert.Equal(1L, ack.GetProperty("seq").GetInt64());
        var messages = await agent.GetOkAsync($"{tenant.Base}/conversations/{conversationId}/messages");
        Assert.Equal(("image", url), ((string)messages[0]!["kind"]!, (string)messages[0]!["content"]!));

        // Anyone with the address reads it (the visitor has no account), as an attachment of the type its bytes say.
        using var anonymous = new HttpClient { BaseAddress = address };
        var served = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", served.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", string.Join(",", served.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(Png, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/media/00000000000000000000000000000000")).StatusCode);

        // Not an image, whatever its name says; too large; someone else's chat.
        var text = await http.PostAsync(images, Form("<svg onload=alert(1)>"u8.ToArray(), "x.png"));
        Assert.Contains("is not a jpg, png or gif image", await ApiClient.FieldErrorAsync(text, "file"), StringComparison.Ordinal);
        var large = new byte[MediaApi.MaxBytes + 1];
        Png.CopyTo(large, 0);
        Assert.Contains("must be at most 2 MB", await ApiClient.FieldErrorAsync(await http.PostAsync(images, Form(large, "big.png")), "file"), StringComparison.Ordinal);
        Assert.Contains("is required (multipart/form-data)", await ApiClient.FieldErrorAsync(await http.PostAsync(images, JsonContent.Create(new { file = "x" })), "file"), StringComparison.Ordinal);
        var broken = new StringContent("--x\r\nnot a part", System.Text.Encoding.UTF8);
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        Assert.Contains("well-formed multipart/form-data body", await ApiClient.FieldErrorAsync(await http.PostAsync(images, broken), "file"), StringComparison.Ordinal);
        using var other = new HttpClient { BaseAddress = address };
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync(images, Form(Png, "p.png"))).StatusCode);
        Assert.Single((await agent.GetOkAsync($"{tenant.Base}/conversations/{conversationId}/messages")).AsArray());
    }

    [Fact]
    public async Task A_web_chat_visitor_sends_an_image_once_with_the_group_and_the_agents_workbench_gets_it()
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (_, _, _, token) = await tenant.AddAgentAsync([products]);
        var key = await tenant.WebChatSiteAsync(products, business);
        await using var workbench = await Workbench.ConnectAsync(address, token);
        await workbench.Connection.InvokeAsync<JsonElement>("SetPresence", "online", false);
        const string visitor = "browser-visitor-image";
        var chat = new HubConnectionBuilder().WithUrl(new Uri(address, $"/hubs/visitor?channel={key}&visitor={visitor}")).Build();
        await using var _ = chat;
        await chat.StartAsync();
        using var http = new HttpClient { BaseAddress = address };
        var path = $"/api/v1/chat/{key}/images?visitor={visitor}";

        // In the flow's menu, an image has nowhere to go yet.
        await chat.InvokeAsync<JsonElement>("Send", "你好");
        var early = await http.PostAsync(path, Form(Png, "p.png"));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("answer the chat's menu first", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await chat.InvokeAsync<JsonElement>("Send", "1");
        var ring = await workbench.Rings.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        var conversationId = ring.GetProperty("conversationId").GetString()!;
        await workbench.Connection.InvokeAsync<JsonElement>("Answer", conversationId);
        var sent = await http.PostAsync(path, Form(Png, "p.png"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var pushed = await workbench.Messages.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal(("image", "visitor"), (pushed.GetProperty("messageKind").GetString(), pushed.GetProperty("sender").GetString()));
        Assert.Equal(Png, await http.GetByteArrayAsync(pushed.GetProperty("content").GetString()));
        Assert.Contains("16–64 letters", await ApiClient.FieldErrorAsync(await http.PostAsync($"/api/v1/chat/{key}/images?visitor=short", Form(Png, "p.png")), "visitor"), StringComparison.Ordinal);
    }
}
