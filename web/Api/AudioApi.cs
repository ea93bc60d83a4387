using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>ST-4: audio files (wav or mp3 by content, at most 5 MB), unreviewed until an admin approves or rejects them.</summary>
public static class AudioApi
{
    public const long MaxBytes = 5 * 1024 * 1024;

    private static readonly Dictionary<string, string> Decisions = new(StringComparer.Ordinal) { ["approve"] = "approved", ["reject"] = "rejected" };

    public static IEndpointRouteBuilder MapAudioApi(this IEndpointRouteBuilder app)
    {
        var audio = app.MapGroup("/api/v1/tenants/{tenantId}/audio-files").WithTags("Audio files").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("audio-file", "audioId");
        audio.MapGet("", List);
        // Cookie callers are held to the CSRF header by the auth pipeline; the form needs no token of its own.
        audio.MapPost("", Upload).DisableAntiforgery();
        audio.MapGet("/{audioId}", Get);
        audio.MapGet("/{audioId}/content", Download);
        audio.MapPost("/{audioId}/review", Review);
        audio.MapDelete("/{audioId}", Delete);
        return app;
    }

    public sealed record ReviewDecision(string? Decision);

    /// <summary><c>ReviewStatus</c>: unreviewed, approved or rejected; only approved files can be used.</summary>
    public sealed record AudioView(string Id, string Name, string FileName, string ContentType, long SizeBytes, string ReviewStatus, DateTimeOffset CreatedAt);

    public static async Task<Ok<PageOf<AudioView>>> List(string tenantId, int? offset, int? limit, AudioStore store, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var page = await store.ListAsync(tenantId, paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<AudioView>([.. page.Items.Select(ViewOf)], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<AudioView>> Upload(string tenantId, IFormFile? file, [Microsoft.AspNetCore.Mvc.FromForm] string? name, AudioStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var title = checks.Text("name", name, 50);
        if (file is null) throw RequestValidationException.For("file", "is required (multipart/form-data)");
        if (file.Length > MaxBytes) throw RequestValidationException.For("file", "must be at most 5 MB (ST-4)");
        var fileName = FileNameOf(checks, file.FileName);
        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(content, cancellationToken);
        var contentType = AudioFormats.Detect(content);
        if (contentType is null) checks.Add("file", "is not a wav or mp3 file (checked by its content, not its name)");
        checks.ThrowIfAny();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new AudioRow { Id = Ids.New(), Name = title, FileName = fileName, ContentType = contentType!, SizeBytes = content.Length, ReviewStatus = "unreviewed", CreatedAt = now, UpdatedAt = now };
        await store.InsertAsync(tenantId, row, content, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/audio-files/{row.Id}", ViewOf(row));
    }

    public static async Task<Ok<AudioView>> Get(string tenantId, string audioId, AudioStore store, CancellationToken cancellationToken)
        => TypedResults.Ok(ViewOf(await store.GetAsync(tenantId, audioId, cancellationToken) ?? throw new NotFoundException($"Audio file {audioId}")));

    /// <summary>Always as an attachment, with the type found in the content: a browser never renders it in the page.</summary>
    public static async Task<FileContentHttpResult> Download(string tenantId, string audioId, AudioStore store, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(tenantId, audioId, cancellationToken) ?? throw new NotFoundException($"Audio file {audioId}");
        var content = await store.ContentAsync(tenantId, audioId, cancellationToken) ?? throw new NotFoundException($"Audio file {audioId}");
        return TypedResults.File(content, row.ContentType, row.FileName);
    }

    public static async Task<Ok<AudioView>> Review(string tenantId, string audioId, ReviewDecision request, AudioStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var status = checks.OneOf("decision", request.Decision, Decisions);
        checks.ThrowIfAny();
        if (!await store.ReviewAsync(tenantId, audioId, status, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)) throw new NotFoundException($"Audio file {audioId}");
        return await Get(tenantId, audioId, store, cancellationToken);
    }

    public static async Task<NoContent> Delete(string tenantId, string audioId, AudioStore store, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(tenantId, audioId, cancellationToken)) throw new NotFoundException($"Audio file {audioId}");
        return TypedResults.NoContent();
    }

    /// <summary>A plain file name: no folders, no parent references, no control characters; at most 100 characters.</summary>
    private static string FileNameOf(Checks checks, string? fileName)
    {
        var name = fileName?.Trim() ?? "";
        if (name.Length == 0 || name.Length > 100 || name is "." or ".." || name.IndexOfAny(['/', '\\', ':']) >= 0 || name.Any(char.IsControl) || name.Contains("..", StringComparison.Ordinal))
            checks.Add("file", "must have a plain file name (no folders or '..', at most 100 characters)");
        return name;
    }

    private static AudioView ViewOf(AudioRow a) => new(a.Id, a.Name, a.FileName, a.ContentType, a.SizeBytes, a.ReviewStatus, UnixTime.At(a.CreatedAt));
}

/// <summary>Recognizes wav and mp3 by their first bytes.</summary>
public static class AudioFormats
{
    /// <summary><c>audio/wav</c>, <c>audio/mpeg</c>, or null for anything else.</summary>
    public static string? Detect(ReadOnlySpan<byte> content)
    {
        // RIFF....WAVE
        if (content.Length >= 12 && content[..4].SequenceEqual("RIFF"u8) && content[8..12].SequenceEqual("WAVE"u8)) return "audio/wav";
        // An ID3v2 tag, or an MPEG audio frame header (11 sync bits, layer III/II/I, not a reserved version).
        if (content.Length >= 10 && content[..3].SequenceEqual("ID3"u8)) return "audio/mpeg";
        if (content.Length >= 4 && content[0] == 0xFF && (content[1] & 0xE0) == 0xE0 && (content[1] & 0x18) != 0x08 && (content[1] & 0x06) != 0) return "audio/mpeg";
        return null;
    }
}
