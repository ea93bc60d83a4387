using System.Security.Cryptography;
using System.Text.Json;
using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// CH-1..CH-3: the ways customers reach a tenant. WeChat official accounts (online), mini programs (online or
/// omni-media; the secret is write-only), websites (online) and phone numbers (phone, bound to an IVR). A channel
/// binds a published flow of its mode (CH-2); the inbound adapter API knows it by its key and token.
/// </summary>
public static class ChannelApi
{
    /// <summary>Each kind: the modes it serves and the settings it takes.</summary>
    private static readonly Dictionary<string, string[]> Kinds = new(StringComparer.Ordinal)
    {
        ["wechat"] = ["online"],
        ["mini-program"] = ["online", "omni"],
        ["website"] = ["online"],
        ["phone"] = ["phone"],
    };

    private static readonly Dictionary<string, string> Directions = new(StringComparer.Ordinal) { ["inbound"] = "inbound", ["outbound"] = "outbound", ["both"] = "both" };

    public static IEndpointRouteBuilder MapChannelApi(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/v1/tenants/{tenantId}/channels").WithTags("Channels").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("channel", "channelId");
        channels.MapGet("", List);
        channels.MapPost("", Create);
        channels.MapGet("/{channelId}", Get);
        channels.MapPatch("/{channelId}", Update);
        channels.MapPut("/{channelId}/flow", BindFlow);
        channels.MapDelete("/{channelId}/flow", UnbindFlow);
        channels.MapPost("/{channelId}/credentials", NewCredentials);
        channels.MapDelete("/{channelId}", Delete);
        return app;
    }

    /// <summary>A new channel. <c>mode</c> is needed for a mini program only (the other kinds have one).</summary>
    public sealed record NewChannel(
        string? Kind, string? Name, string? Mode, string? AppId, string? Secret, string? Domain, string? Number, string? Direction, string? FlowId, string? WebhookUrl);

    /// <summary>A field left out keeps its value; <c>secret</c> replaces the stored one; <c>webhookUrl: ""</c> removes the webhook.</summary>
    public sealed record ChannelChange(string? Name, string? AppId, string? Secret, string? Domain, string? Number, string? Direction, string? WebhookUrl, string? Kind, string? Mode);

    public sealed record FlowBinding(string? FlowId);

    /// <summary>A kind's settings: never the secret, only whether one is set.</summary>
    public sealed record ChannelSettings(string? AppId, bool? HasSecret, string? Domain, string? Number, string? Direction);

    public sealed record FlowRef(string Id, string? Name);

    public sealed record ChannelView(
        string Id, string Kind, string Name, string Mode, ChannelSettings Settings, FlowRef? Flow, string ChannelKey, string? WebhookUrl,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>The channel with what is shown once: the adapter API token, and the webhook's signing secret when it has a webhook.</summary>
    public sealed record ChannelCredentials(ChannelView Channel, string Token, string? WebhookSecret);

    /// <summary>The channel after a change, with the new webhook's signing secret when the webhook changed (shown once).</summary>
    public sealed record ChannelUpdated(ChannelView Channel, string? WebhookSecret);

    /// <summary>Stored settings: the secret encrypted with Data Protection.</summary>
    private sealed record StoredSettings(string? AppId, string? ProtectedSecret, string? Domain, string? Number, string? Direction);

    /// <summary>A website channel's domain (lower case), as stored; null for other kinds.</summary>
    public static string? DomainOf(ChannelRow channel) => JsonSerializer.Deserialize<StoredSettings>(channel.Settings)?.Domain;

    public static async Task<Ok<PageOf<ChannelView>>> List(string tenantId, string? kind, int? offset, int? limit, ChannelStore channels, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        if (kind is not null && !Kinds.ContainsKey(kind)) throw RequestValidationException.For("kind", "must be one of: " + string.Join(", ", Kinds.Keys));
        var page = await channels.ListAsync(tenantId, kind, paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<ChannelView>([.. page.Items.Select(ViewOf)], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Ok<ChannelView>> Get(string tenantId, string channelId, ChannelStore channels, CancellationToken cancellationToken)
        => TypedResults.Ok(ViewOf(await channels.GetAsync(tenantId, channelId, cancellationToken) ?? throw new NotFoundException($"Channel {channelId}")));

    public static async Task<Created<ChannelCredentials>> Create(string tenantId, NewChannel request, ChannelStore channels, FlowStore flows, IDataProtectionProvider protection, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.FlowId)) await RequireFlowAsync(flows, tenantId, request.FlowId, cancellationToken);
        var checks = new Checks();
        var kind = checks.OneOf("kind", request.Kind, Kinds.ToDictionary(k => k.Key, k => k.Key, StringComparer.Ordinal));
        var name = checks.Text("name", request.Name, 30);
        var modes = Kinds.GetValueOrDefault(kind ?? "") ?? [];
        var mode = request.Mode ?? (modes.Length == 1 ? modes[0] : null);
        if (kind is not null && (mode is null || !modes.Contains(mode)))
            checks.Add("mode", $"a {kind} channel serves {string.Join(" or ", modes)} conversations (CH-1)");
        var settings = SettingsOf(checks, kind, request.AppId, request.Secret, request.Domain, request.Number, request.Direction, null, Protector(protection), creating: true);
        var webhook = WebhookOf(checks, request.WebhookUrl);
        checks.ThrowIfAny();
        var (token, tokenHash) = NewToken();
        var webhookSecret = webhook is null ? null : NewSecret();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new ChannelRow
        {
            Id = Ids.New(), TenantId = tenantId, Kind = kind!, Name = name, Mode = mode!, Settings = JsonSerializer.Serialize(settings),
            FlowId = string.IsNullOrEmpty(request.FlowId) ? null : request.FlowId, ChannelKey = Ids.New() + Ids.New(), TokenHash = tokenHash,
            WebhookUrl = webhook, WebhookSecret = webhookSecret is null ? null : Protector(protection).Protect(webhookSecret), CreatedAt = now, UpdatedAt = now,
        };
        await channels.InsertAsync(row, cancellationToken);
        var created = await channels.GetAsync(tenantId, row.Id, cancellationToken) ?? row;
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/channels/{row.Id}", new ChannelCredentials(ViewOf(created), token, webhookSecret));
    }

    /// <summary>Name, the kind's settings and the webhook; the kind and mode are fixed at creation. A new webhook gets a new signing secret, shown here once.</summary>
    public static async Task<Ok<ChannelUpdated>> Update(string tenantId, string channelId, ChannelChange request, ChannelStore channels, IDataProtectionProvider protection, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = await channels.GetAsync(tenantId, channelId, cancellationToken) ?? throw new NotFoundException($"Channel {channelId}");
        var checks = new Checks();
        if (request.Kind is not null && request.Kind != current.Kind) checks.Add("kind", "is fixed when the channel is created");
        if (request.Mode is not null && request.Mode != current.Mode) checks.Add("mode", "is fixed when the channel is created");
        var name = request.Name is null ? current.Name : checks.Text("name", request.Name, 30);
        var stored = JsonSerializer.Deserialize<StoredSettings>(current.Settings)!;
        var settings = SettingsOf(checks, current.Kind, request.AppId ?? stored.AppId, request.Secret, request.Domain ?? stored.Domain, request.Number ?? stored.Number,
            request.Direction ?? stored.Direction, stored.ProtectedSecret, Protector(protection), creating: false);
        var webhook = request.WebhookUrl is null ? current.WebhookUrl : request.WebhookUrl.Length == 0 ? null : WebhookOf(checks, request.WebhookUrl);
        checks.ThrowIfAny();
        var webhookSecret = webhook is not null && webhook != current.WebhookUrl ? NewSecret() : null;
        var updated = await channels.UpdateAsync(tenantId, channelId, c =>
        {
            c.Name = name;
            c.Settings = JsonSerializer.Serialize(settings);
            c.WebhookUrl = webhook;
            if (webhook is null) c.WebhookSecret = null;
            else if (webhookSecret is not null) c.WebhookSecret = Protector(protection).Protect(webhookSecret);
        }, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Ok(new ChannelUpdated(ViewOf(updated), webhookSecret));
    }

    /// <summary>CH-2: binds a published flow of the channel's mode, or changes it; takes effect at once for new conversations.</summary>
    public static async Task<Ok<ChannelView>> BindFlow(string tenantId, string channelId, FlowBinding request, ChannelStore channels, FlowStore flows, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.FlowId)) throw RequestValidationException.For("flowId", "is required; DELETE .../flow unbinds");
        _ = await channels.GetAsync(tenantId, channelId, cancellationToken) ?? throw new NotFoundException($"Channel {channelId}");
        await RequireFlowAsync(flows, tenantId, request.FlowId, cancellationToken);
        await channels.SetFlowAsync(tenantId, channelId, request.FlowId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Ok(ViewOf((await channels.GetAsync(tenantId, channelId, cancellationToken))!));
    }

    /// <summary>CH-2, CH-3: the channel lets its flow go (and serves no customer until it binds another, phone aside).</summary>
    public static async Task<Ok<ChannelView>> UnbindFlow(string tenantId, string channelId, ChannelStore channels, TimeProvider time, CancellationToken cancellationToken)
    {
        await channels.SetFlowAsync(tenantId, channelId, null, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Ok(ViewOf((await channels.GetAsync(tenantId, channelId, cancellationToken))!));
    }

    /// <summary>A new adapter API token (and webhook signing secret); the old ones stop working at once.</summary>
    public static async Task<Ok<ChannelCredentials>> NewCredentials(string tenantId, string channelId, ChannelStore channels, IDataProtectionProvider protection, TimeProvider time, CancellationToken cancellationToken)
    {
        var (token, tokenHash) = NewToken();
        string? webhookSecret = null;
        var updated = await channels.UpdateAsync(tenantId, channelId, c =>
        {
            c.TokenHash = tokenHash;
            if (c.WebhookUrl is null) return;
            webhookSecret = NewSecret();
            c.WebhookSecret = Protector(protection).Protect(webhookSecret);
        }, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Ok(new ChannelCredentials(ViewOf(updated), token, webhookSecret));
    }

    public static async Task<NoContent> Delete(string tenantId, string channelId, ChannelStore channels, TimeProvider time, CancellationToken cancellationToken)
    {
        await channels.DeleteAsync(tenantId, channelId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task RequireFlowAsync(FlowStore flows, string tenantId, string flowId, CancellationToken cancellationToken)
    {
        if (await flows.GetAsync(tenantId, flowId, cancellationToken) is null) throw RequestValidationException.For("flowId", $"names no flow of this tenant ('{flowId}')");
    }

    /// <summary>The purpose channel secrets are encrypted under.</summary>
    public static IDataProtector Protector(IDataProtectionProvider protection) => protection.CreateProtector("Engine.Channels.v1");

    private static StoredSettings SettingsOf(Checks checks, string? kind, string? appId, string? secret, string? domain, string? number, string? direction, string? storedSecret, IDataProtector protector, bool creating)
    {
        switch (kind)
        {
            case "wechat":
                return new StoredSettings(AppIdOf(checks, appId), null, null, null, null);
            case "mini-program":
                if (secret is not null && string.IsNullOrWhiteSpace(secret)) checks.Add("secret", "is empty");
                else if (secret is null && creating) checks.Add("secret", "is required for a mini program (stored encrypted, never shown)");
                else if (secret is { Length: > 128 }) checks.Add("secret", "is longer than 128 characters");
                return new StoredSettings(AppIdOf(checks, appId), secret is null ? storedSecret : protector.Protect(secret), null, null, null);
            case "website":
                if (string.IsNullOrWhiteSpace(domain) || Uri.CheckHostName(domain.Trim()) is not (UriHostNameType.Dns or UriHostNameType.IPv4)) checks.Add("domain", "must be the website's host name, such as shop.example.com");
                return new StoredSettings(null, null, domain?.Trim().ToLowerInvariant(), null, null);
            case "phone":
                if (string.IsNullOrWhiteSpace(number) || number.Length > 20 || !number.TrimStart('+').All(char.IsAsciiDigit)) checks.Add("number", "must be a phone number: digits, optionally after a +, at most 20");
                var way = direction is null ? null : checks.OneOf("direction", direction, Directions);
                if (direction is null) checks.Add("direction", "is required: inbound, outbound or both");
                return new StoredSettings(null, null, null, number, way);
            default:
                return new StoredSettings(null, null, null, null, null);
        }
    }

    private static string? AppIdOf(Checks checks, string? appId)
    {
        if (string.IsNullOrWhiteSpace(appId) || appId.Length > 64 || !appId.All(char.IsAsciiLetterOrDigit)) checks.Add("appId", "must be the AppID: letters and digits, at most 64");
        return appId;
    }

    private static string? WebhookOf(Checks checks, string? url)
    {
        if (url is null) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || url.Length > 500)
        {
            checks.Add("webhookUrl", "must be an absolute http or https URL of at most 500 characters");
            return null;
        }
        return uri.ToString();
    }

    private static (string Token, string Hash) NewToken()
    {
        var token = ApiTokens.Generate("chn_");
        return (token, ApiTokens.HashOf(token));
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static ChannelView ViewOf(ChannelRow c)
    {
        var settings = JsonSerializer.Deserialize<StoredSettings>(c.Settings)!;
        return new ChannelView(
            c.Id, c.Kind, c.Name, c.Mode,
            new ChannelSettings(settings.AppId, c.Kind == "mini-program" ? settings.ProtectedSecret is not null : null, settings.Domain, settings.Number, settings.Direction),
            c.FlowId is null ? null : new FlowRef(c.FlowId, c.FlowName), c.ChannelKey, c.WebhookUrl, UnixTime.At(c.CreatedAt), UnixTime.At(c.UpdatedAt));
    }
}
