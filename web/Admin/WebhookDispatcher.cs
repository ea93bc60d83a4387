using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Engine.Persistence.Admin;
using Microsoft.AspNetCore.DataProtection;

namespace Engine.Web.Admin;

/// <summary>
/// Delivers what flow runs pushed to channels' webhooks: a POST of the JSON body, signed with HMAC-SHA256 over
/// <c>{timestamp}.{body}</c> with the channel's webhook secret (<c>X-Engine-Signature: v1=…</c>, <c>X-Engine-Timestamp</c>
/// in Unix seconds, <c>X-Engine-Event-Id</c>, and <c>X-Engine-Sequence</c>, which grows in the order the pushes were
/// made). Pushes are tried in that order. A 2xx answer delivers one; anything else is tried again after 1, 2, 4, …
/// seconds (at most 10 minutes apart), up to <see cref="MaxAttempts"/> tries, so a retried push can arrive after later
/// ones: a gateway that must keep order sorts by the sequence. Runs every second.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookOutboxStore outbox, IHttpClientFactory http, IDataProtectionProvider protection, IConfiguration configuration, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string ClientName = "webhooks";
    public const int MaxAttempts = 12;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    /// <summary>How long a claimed try holds its message: longer than a request may take (10 s).</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Delivers what is due now; returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        foreach (var message in await outbox.DueAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), MaxAttempts, 100, cancellationToken))
        {
            // Every server runs a dispatcher: one of them takes each try, for as long as its lease lasts.
            var lease = (time.GetUtcNow() + Lease).ToUnixTimeMilliseconds();
            if (!await outbox.ClaimAsync(message, lease, cancellationToken)) continue;
            var failure = message.WebhookUrl is null || message.WebhookSecret is null
                ? "the channel has no webhook any more"
                : await SendAsync(message, cancellationToken);
            if (failure is null)
            {
                await outbox.MarkDeliveredAsync(message.Id, lease, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
                delivered++;
                continue;
            }
            var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, message.Attempts), MaxDelay.TotalSeconds));
            LogFailed(logger, message.Id, message.Attempts + 1, failure);
            await outbox.MarkFailedAsync(message.Id, lease, failure, (time.GetUtcNow() + delay).ToUnixTimeMilliseconds(), cancellationToken);
        }
        return delivered;
    }

    /// <summary>The signature a receiver checks: hex HMAC-SHA256 of <c>{timestamp}.{body}</c> under the webhook secret.</summary>
    public static string Signature(string secret, string timestamp, string body)
        => "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    /// <summary>One try: null when the gateway took it, else why not (a secret this server cannot read counts as a failed try, not a crash).</summary>
    private async Task<string?> SendAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        string secret;
        try
        {
            secret = Api.ChannelApi.Protector(protection).Unprotect(message.WebhookSecret!);
        }
        catch (CryptographicException)
        {
            return "the webhook secret cannot be read with this server's key ring; renew the channel's credentials";
        }
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, message.WebhookUrl) { Content = new StringContent(message.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Engine-Event-Id", message.Id);
        request.Headers.Add("X-Engine-Sequence", message.Seq.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-Engine-Timestamp", timestamp);
        request.Headers.Add("X-Engine-Signature", Signature(secret, timestamp, message.Body));
        try
        {
            using var client = http.CreateClient(ClientName);
            using var response = await client.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return e.Message;
        }
    }

    /// <summary>Every <c>Engine:Webhooks:PollSeconds</c> (default 1; 0 leaves delivery to whoever calls <see cref="DeliverDueAsync"/>).</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = configuration.GetValue("Engine:Webhooks:PollSeconds", 1.0);
        if (seconds <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong (a store away, an unexpected answer), delivery goes on at the next tick.
                LogStoreFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Webhook message {Id} was not delivered (try {Attempt}): {Reason}; it is tried again later")]
    private static partial void LogFailed(ILogger logger, string id, int attempt, string reason);

    [LoggerMessage(EventId = 521, Level = LogLevel.Error, Message = "Delivering the webhook outbox failed; delivery goes on at the next tick")]
    private static partial void LogStoreFailed(ILogger logger, Exception error);
}
