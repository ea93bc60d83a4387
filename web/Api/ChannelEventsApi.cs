using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Engine.Flows;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// The inbound adapter API, for channels this server cannot reach itself (WeChat, a telephony gateway): the gateway
/// posts what a customer did with the channel's token, and gets the flow's replies in the answer. A customer is known
/// by the channel and the gateway's customer id; their events go to the conversation they are in, or open one that
/// runs the channel's flow (CH-3).
/// </summary>
public static class ChannelEventsApi
{
    /// <summary>The most a customer's message holds (here and in the web chat).</summary>
    public const int MaxTextCharacters = 2000;

    /// <summary>The most an event's body may hold.</summary>
    public const long MaxBodyBytes = 16 * 1024;

    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        ["message"] = "message", ["callStarted"] = "callStarted", ["digits"] = "digits", ["hangUp"] = "hangUp", ["friendAdded"] = "friendAdded",
    };

    public static IEndpointRouteBuilder MapChannelEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/channels/{channelKey}/events", Post).WithTags("Inbound adapter")
            .AllowAnonymous().DisableAntiforgery().Accepts<ChannelEvent>("application/json")
            .NotAudited("customers' traffic through a channel, kept in the conversation's records; the channel's own changes are audited");
        return app;
    }

    /// <summary>
    /// <c>message</c> (<c>text</c>): the customer wrote; <c>callStarted</c>: a call came in; <c>digits</c> (<c>digits</c>):
    /// the caller pressed keys; <c>hangUp</c>: the customer left; <c>friendAdded</c> (<c>accountId</c>, <c>agentId</c>):
    /// the customer added the agent as a friend through the marketing account (MK-8). <c>customerId</c> is the
    /// gateway's id of the customer (an OpenID, a caller's number).
    /// </summary>
    public sealed record ChannelEvent(string? Type, string? CustomerId, string? Text, string? Digits, string? AccountId = null, string? AgentId = null, string? Region = null);

    /// <summary>MK-8: the friend on record; <c>Duplicate</c> when it was already (a retry), and then <c>AddedAt</c> is the first event's time.</summary>
    public sealed record FriendAnswer(string CustomerId, string AccountId, string AgentId, DateTimeOffset AddedAt, bool Duplicate);

    public static async Task<Results<Ok<ChannelAnswer>, Ok<FriendAnswer>>> Post(
        string channelKey, HttpContext http, ChannelStore channels, ChannelCustomers customers, FriendInvitations invitations,
        Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        var channel = await channels.FindByKeyAsync(channelKey, cancellationToken) ?? throw new NotFoundException($"Channel {channelKey}");
        if (!TokenMatches(http, channel)) throw new ChannelTokenException();
        var request = await ReadAsync(http.Request, json.Value.SerializerOptions, cancellationToken);
        var checks = new Checks();
        var type = checks.OneOf("type", request.Type, Types);
        var phone = channel.Mode == "phone";
        if (type is "callStarted" or "digits" && !phone) checks.Add("type", $"'{type}' comes from phone channels; this is a {channel.Kind} channel");
        var customerId = request.CustomerId;
        if (string.IsNullOrWhiteSpace(customerId) || customerId.Length > 128 || customerId.Any(char.IsControl)) checks.Add("customerId", "is required: the gateway's id of the customer, at most 128 printable characters");
        if (type == "message" && Checks.MessageTextProblem(request.Text, MaxTextCharacters) is { } problem) checks.Add("text", problem == "is required" ? "is required for a message" : problem);
        if (type == "digits" && (string.IsNullOrEmpty(request.Digits) || request.Digits.Length > 32 || !request.Digits.All(c => char.IsAsciiDigit(c) || c is '*' or '#'))) checks.Add("digits", "is required for digits: 0–9, * and #, at most 32");
        if (type == "friendAdded")
        {
            if (!ValidId(request.AccountId)) checks.Add("accountId", "is required for friendAdded: the marketing account's id");
            if (!ValidId(request.AgentId)) checks.Add("agentId", "is required for friendAdded: the agent's id");
        }
        if (request.Region is { } region && (region.Length is 0 or > 64 || region.Any(char.IsControl))) checks.Add("region", "is the customer's region as the gateway knows it: 1 to 64 printable characters");
        checks.ThrowIfAny();

        if (type == "friendAdded")
        {
            var (friend, added) = await invitations.AddFriendAsync(channel, customerId!, request.AccountId!, request.AgentId!, cancellationToken);
            return TypedResults.Ok(new FriendAnswer(customerId!, friend.AccountId, friend.AgentId, UnixTime.At(friend.AddedAt), !added));
        }

        var input = type switch
        {
            "digits" => new CustomerInput(null, request.Digits),
            "hangUp" => new CustomerInput(null, null, Left: true),
            "callStarted" => new CustomerInput(null, null),
            _ => new CustomerInput(request.Text, null),
        };
        return Answer(await customers.ReceiveAsync(channel, customerId!, input, cancellationToken, request.Region));
    }

    private static Ok<ChannelAnswer> Answer(FlowOutcome outcome) => TypedResults.Ok(ChannelAnswer.Of(outcome));

    private static bool ValidId(string? id) => !string.IsNullOrWhiteSpace(id) && id.Length <= 64 && !id.Any(char.IsControl);

    /// <summary>The event, read whole only when it fits in <see cref="MaxBodyBytes"/> (else a 413), as the API reads every JSON body.</summary>
    private static async Task<ChannelEvent> ReadAsync(HttpRequest request, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) throw TooLarge();
        using var body = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > MaxBodyBytes) throw TooLarge();
            body.Write(buffer, 0, read);
        }
        try
        {
            return JsonSerializer.Deserialize<ChannelEvent>(body.GetBuffer().AsSpan(0, (int)body.Length), options)
                ?? throw new BadHttpRequestException("The event is not a JSON object.");
        }
        catch (JsonException error)
        {
            throw new BadHttpRequestException("The event is not valid JSON for this API.", error);
        }
    }

    private static BadHttpRequestException TooLarge()
        => new($"An event holds at most {MaxBodyBytes / 1024} KB.", StatusCodes.Status413PayloadTooLarge);

    private static bool TokenMatches(HttpContext http, ChannelRow channel)
    {
        string? header = http.Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.ASCII.GetBytes(ApiTokens.HashOf(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(channel.TokenHash));
    }

}

/// <summary>The request does not carry the channel's token (a 401).</summary>
public sealed class ChannelTokenException() : Exception("The channel's adapter token is missing or wrong (Authorization: Bearer chn_...).");
