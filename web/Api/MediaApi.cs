using Engine.Conversations;
using Engine.Web.Admin;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Engine.Web.RealTime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Engine.Web.Api;

/// <summary>
/// Images in conversations: an agent sends one in a conversation they hold, a web chat visitor in the conversation they
/// are in with an agent. Only jpg, png or gif, checked by their content, at most <see cref="MaxBytes"/>. The message's
/// content is the image's address on this server (<c>/media/{id}</c>, an unguessable id), served as an attachment with
/// the type found in the content and <c>nosniff</c>, so that a browser shows it in an <c>img</c> and never as a page.
/// </summary>
public static class MediaApi
{
    public const long MaxBytes = 2 * 1024 * 1024;

    /// <summary>The largest request an upload route reads: the image and its form's framing; a larger body is cut off unread.</summary>
    internal const long MaxRequestBytes = MaxBytes + 64 * 1024;

    public const string Path = "/media";

    public static IEndpointRouteBuilder MapMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/tenants/{tenantId}/conversations").WithTags("Conversations").RequireTenantMember()
            .NotAudited("conversations are customers' traffic and agents' work, kept in their own records and history, not configuration")
            .MapPost("/{conversationId}/images", AgentImage).RequireAuthorization(Policies.Member).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
        app.MapPost("/api/v1/chat/{channelKey}/images", VisitorImage).WithTags("Web chat").AllowAnonymous().DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes))
            .RequireRateLimiting(RealTimeSetup.VisitorConnectionLimit).NotAudited("a web chat visitor's message");
        app.MapGet(Path + "/{mediaId}", Get).WithTags("Web chat").AllowAnonymous().NotAudited("reads an image");
        return app;
    }

    /// <summary>The image's number in the conversation, and where it is served.</summary>
    public sealed record ImageAck(string ConversationId, long Seq, string Url);

    /// <summary>The agent holding the conversation sends an image (multipart <c>file</c>).</summary>
    public static async Task<Ok<ImageAck>> AgentImage(string tenantId, string conversationId, HttpContext http, IGrainFactory grains, MediaStore media, TimeProvider time, CancellationToken cancellationToken)
    {
        var agentId = http.User.UserId();
        var (bytes, type) = await ReadAsync(http.Request, cancellationToken);
        if (!await grains.Agent(tenantId, agentId).Holds(conversationId)) throw new NotFoundException($"Conversation {conversationId}");
        var url = await StoreAsync(media, tenantId, conversationId, bytes, type, time, cancellationToken);
        var (seq, _) = await grains.Conversation(tenantId, conversationId).AppendMessage(MessageSender.Agent, agentId, "image", url, null);
        return TypedResults.Ok(new ImageAck(conversationId, seq, url));
    }

    /// <summary>
    /// A web chat visitor (<c>?visitor=</c>, the id their browser keeps) sends an image (multipart <c>file</c>) in the
    /// conversation they are in with a group (queued or with an agent); in the flow's menu they answer with words first.
    /// </summary>
    public static async Task<Ok<ImageAck>> VisitorImage(string channelKey, string? visitor, HttpRequest request, ChannelStore channels, ChannelCustomers customers, MediaStore media, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!VisitorHub.ValidVisitorId(visitor ?? "")) throw RequestValidationException.For("visitor", "16–64 letters, digits, '-' or '_', as the chat page keeps it");
        var (bytes, type) = await ReadAsync(request, cancellationToken);
        var channel = await channels.FindByKeyAsync(channelKey, cancellationToken);
        if (!ChannelKinds.IsWebChat(channel)) throw new NotFoundException($"Website channel {channelKey}");
        var (conversationId, conversation) = await customers.WithGroupAsync(channel, VisitorHub.WebVisitorPrefix + visitor)
            ?? throw new Engine.StateMachines.DomainException("Images go to an agent: answer the chat's menu first, then send it once you are queued or with an agent.");
        var url = await StoreAsync(media, channel.TenantId, conversationId, bytes, type, time, cancellationToken);
        var (seq, _) = await conversation.AppendMessage(MessageSender.Visitor, null, "image", url, null);
        return TypedResults.Ok(new ImageAck(conversationId, seq, url));
    }

    /// <summary>The image as an attachment of the type found in its content: an <c>img</c> shows it, a browser never runs it as a page.</summary>
    public static async Task<IResult> Get(string mediaId, HttpContext http, MediaStore media, CancellationToken cancellationToken)
    {
        var row = await media.GetAsync(mediaId, cancellationToken) ?? throw new NotFoundException($"Image {mediaId}");
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        http.Response.Headers.CacheControl = "private, max-age=86400, immutable";
        return TypedResults.File(row.Bytes, row.ContentType, $"{row.Id}{ImageFormats.Extension(row.ContentType)}");
    }

    /// <summary>
    /// The form is read here, after the route's checks (tenant, role), rather than bound before them: a call with
    /// another body or another tenant's credentials is refused for what it is, not for its content type.
    /// </summary>
    private static Task<(byte[] Bytes, string Type)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
        => ReadImageAsync(request, gif: true, cancellationToken);

    /// <summary>The form's <c>file</c>: jpg or png (and gif when <paramref name="gif"/>) by its content, at most 2 MB.</summary>
    internal static async Task<(byte[] Bytes, string Type)> ReadImageAsync(HttpRequest request, bool gif, CancellationToken cancellationToken)
    {
        var kinds = gif ? "a jpg, png or gif image" : "a jpg, jpeg or png image";
        var file = await Uploads.FileAsync(request, MaxBytes, kinds, cancellationToken);
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, cancellationToken);
        var type = ImageFormats.Detect(bytes) is { } found && (gif || found != "image/gif")
            ? found
            : throw RequestValidationException.For("file", $"is not {kinds} (checked by its content, not its name)");
        return (bytes, type);
    }

    private static async Task<string> StoreAsync(MediaStore media, string tenant, string conversationId, byte[] bytes, string type, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = MediaStore.NewId();
        await media.InsertAsync(new MediaRow { Id = id, TenantId = tenant, ConversationId = conversationId, ContentType = type, Size = bytes.Length, Bytes = bytes, CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken);
        return $"{Path}/{id}";
    }
}

/// <summary>The image types a conversation takes, told by their first bytes.</summary>
public static class ImageFormats
{
    /// <summary><c>image/jpeg</c>, <c>image/png</c>, <c>image/gif</c>, or null for anything else.</summary>
    public static string? Detect(ReadOnlySpan<byte> content)
    {
        if (content.Length >= 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF) return "image/jpeg";
        if (content.Length >= 8 && content[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (content.Length >= 6 && (content[..6].SequenceEqual("GIF87a"u8) || content[..6].SequenceEqual("GIF89a"u8))) return "image/gif";
        return null;
    }

    public static string Extension(string contentType) => contentType switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        _ => ".gif",
    };
}
