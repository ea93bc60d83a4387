using System.Net.Mail;
using Engine.Persistence.Admin;
using Microsoft.AspNetCore.DataProtection;

namespace Engine.Web.Admin;

/// <summary>An email to send; the one thing outside the engine it depends on.</summary>
public interface IMailSender
{
    Task SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken);
}

/// <summary>SMTP, when <c>Engine:Smtp:Host</c> is configured (<c>Port</c>, <c>From</c>, <c>User</c>, <c>Password</c>, <c>Tls</c> beside it).</summary>
public sealed class SmtpMailSender(IConfiguration configuration) : IMailSender
{
    public async Task SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken)
    {
        var smtp = configuration.GetSection("Engine:Smtp");
        using var client = new SmtpClient(smtp["Host"], smtp.GetValue("Port", 25)) { EnableSsl = smtp.GetValue("Tls", false) };
        if (smtp["User"] is { Length: > 0 } user) client.Credentials = new System.Net.NetworkCredential(user, smtp["Password"]);
        using var message = new MailMessage(smtp["From"] ?? "engine@localhost", recipient, subject, body);
        await client.SendMailAsync(message, cancellationToken);
    }
}

/// <summary>
/// TN-3: an initial password is delivered once: in the response of the call that made it, and as an
/// outbox record that an SMTP server gets when one is configured. The record's body is encrypted at
/// rest and erased once sent.
/// </summary>
public sealed class InitialPasswords(IDataProtectionProvider protection, TimeProvider time)
{
    public const string Kind = "initial-password";

    private readonly IDataProtector _protector = protection.CreateProtector("Engine.Outbox.v1");

    /// <summary>The outbox message that tells <paramref name="user"/> their initial password; the store writes it with the user's change.</summary>
    public OutboxRow Message(UserRow user, string password) => new()
    {
        Id = Ids.New(), TenantId = user.TenantId, UserId = user.Id, Kind = Kind, Recipient = user.Email,
        Subject = "Your Engine sign-in",
        Body = _protector.Protect($"Sign in with {user.Email} and the initial password {password}. You will be asked to choose your own password at the first sign-in."),
        CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
    };

    public string Reveal(string protectedBody) => _protector.Unprotect(protectedBody);
}

/// <summary>Sends the outbox every 10 seconds when a mail sender is configured; a message is tried at most five times.</summary>
public sealed partial class OutboxDispatcher(IServiceProvider services, OutboxStore outbox, InitialPasswords passwords, TimeProvider time, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public const int MaxAttempts = 5;

    /// <summary>Sends what is pending; returns how many were sent.</summary>
    public async Task<int> SendPendingAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IMailSender>() is not { } sender) return 0;
        var sent = 0;
        foreach (var message in await outbox.PendingAsync(MaxAttempts, 100, cancellationToken))
        {
            try
            {
                await sender.SendAsync(message.Recipient, message.Subject, passwords.Reveal(message.Body!), cancellationToken);
                await outbox.MarkSentAsync(message.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
                sent++;
            }
            catch (Exception e) when (e is SmtpException or IOException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                LogSendFailed(logger, e, message.Recipient);
                await outbox.MarkFailedAsync(message.Id, e.Message, cancellationToken);
            }
        }
        return sent;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IMailSender>() is null) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10), time);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await SendPendingAsync(stoppingToken);
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "An email to {Recipient} could not be sent; it stays in the outbox")]
    private static partial void LogSendFailed(ILogger logger, Exception error, string recipient);
}
