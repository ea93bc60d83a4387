using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

public sealed class AudioApiTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    private static readonly byte[] Wav = [.. "RIFF"u8, 36, 0, 0, 0, .. "WAVEfmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0, .. "data"u8, 0, 0, 0, 0];
    private static readonly byte[] Mp3 = [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0, 0xFF, 0xFB, 0x90, 0x64];

    [Fact]
    public async Task ST4_a_wav_or_mp3_upload_waits_for_review_and_downloads_as_an_attachment()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var wav = await UploadOkAsync(tenant, Wav, "greeting.wav", "Greeting");
        Assert.Equal(("audio/wav", "unreviewed"), ((string?)wav["contentType"], (string?)wav["reviewStatus"]));
        var mp3 = await UploadOkAsync(tenant, Mp3, "hold.mp3", "Hold music");
        Assert.Equal("audio/mpeg", (string?)mp3["contentType"]);

        var approved = await tenant.Admin.PostOkAsync($"{tenant.Base}/audio-files/{wav["id"]}/review", new { decision = "approve" });
        Assert.Equal("approved", (string?)approved["reviewStatus"]);
        var rejected = await tenant.Admin.PostOkAsync($"{tenant.Base}/audio-files/{mp3["id"]}/review", new { decision = "reject" });
        Assert.Equal("rejected", (string?)rejected["reviewStatus"]);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/audio-files/{mp3["id"]}/review", new { decision = "maybe" }), "decision");

        using var download = await tenant.Admin.GetAsync($"{tenant.Base}/audio-files/{wav["id"]}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(Wav, await download.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/audio-files/{wav["id"]}")).StatusCode);
        Assert.Equal(1, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/audio-files"))["total"]!);
    }

    [Fact]
    public async Task ST4_a_renamed_executable_is_refused_by_its_content()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        byte[] elf = [0x7F, .. "ELF"u8, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        await ApiClient.FieldErrorAsync(await UploadAsync(tenant, elf, "song.mp3", "Song"), "file");
        byte[] exe = [.. "MZ"u8, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0];
        await ApiClient.FieldErrorAsync(await UploadAsync(tenant, exe, "song.wav", "Song"), "file");
        Assert.Equal(0, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/audio-files"))["total"]!);
    }

    [Fact]
    public async Task ST4_a_file_over_5_MB_is_refused()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var big = new byte[5 * 1024 * 1024 + 1];
        Wav.CopyTo(big, 0);
        Assert.Equal("must be at most 5 MB (ST-4)", await ApiClient.FieldErrorAsync(await UploadAsync(tenant, big, "long.wav", "Long"), "file"));
        var exactly = new byte[5 * 1024 * 1024];
        Wav.CopyTo(exactly, 0);
        await UploadOkAsync(tenant, exactly, "max.wav", "Max");
    }

    [Theory]
    [InlineData("../../etc/passwd.wav")]
    [InlineData("folder/greeting.wav")]
    [InlineData("..\\greeting.wav")]
    public async Task ST4_a_path_like_file_name_is_refused(string fileName)
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await UploadAsync(tenant, Wav, fileName, "Sneaky"), "file");
    }

    private static async Task<JsonNode> UploadOkAsync(TestTenant tenant, byte[] content, string fileName, string name)
    {
        using var response = await UploadAsync(tenant, content, fileName, name);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    private static Task<HttpResponseMessage> UploadAsync(TestTenant tenant, byte[] content, string fileName, string name)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        // The raw header, so that the file name reaches the server exactly as a hostile client would send it.
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"file\"; filename=\"{fileName.Replace("\\", "\\\\", StringComparison.Ordinal)}\"");
        form.Add(file);
        form.Add(new StringContent(name), "name");
        return tenant.Admin.Http.PostAsync($"{tenant.Base}/audio-files", form);
    }
}
