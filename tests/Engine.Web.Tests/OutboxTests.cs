using System.Collections.Concurrent;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

public sealed class OutboxTests(OutboxTests.Server factory) : IClassFixture<OutboxTests.Server>
{
    /// <summary>The server with a mail sender standing in for SMTP (outside the engine).</summary>
    public sealed class Server : EngineFactory
    {
        public ConcurrentQueue<(string To, string Subject, string Body)> Sent { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IMailSender>(new FakeMail(Sent)));
        }

        private sealed class FakeMail(ConcurrentQueue<(string, string, string)> sent) : IMailSender
        {
            public Task SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken)
            {
                sent.Enqueue((recipient, subject, body));
                return Task.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task TN3_an_initial_password_goes_to_the_outbox_encrypted_and_is_mailed_once_then_erased()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/agents", new { name = "Mail Me", staffNo = "M1", email = "mail-me@outbox.test", role = "agent" });
        var id = (string)created["agent"]!["id"]!;
        var password = (string)created["initialPassword"]!;
        var outbox = factory.Services.GetRequiredService<OutboxStore>();

        var pending = Assert.Single(await outbox.ForUserAsync(id, CancellationToken.None));
        Assert.Equal(("mail-me@outbox.test", InitialPasswords.Kind), (pending.Recipient, pending.Kind));
        Assert.DoesNotContain(password, pending.Body!, StringComparison.Ordinal);

        var dispatcher = factory.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.SendPendingAsync(CancellationToken.None);
        await dispatcher.SendPendingAsync(CancellationToken.None);

        var mails = factory.Sent.Where(m => m.To == "mail-me@outbox.test").ToList();
        Assert.Contains(password, Assert.Single(mails).Body, StringComparison.Ordinal);
        var sent = Assert.Single(await outbox.ForUserAsync(id, CancellationToken.None));
        Assert.NotNull(sent.SentAt);
        Assert.Null(sent.Body);
    }

    [Fact]
    public async Task TN3_a_password_reset_is_delivered_through_the_outbox_too()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (id, _, _, _) = await tenant.AddAgentAsync();
        var reset = await tenant.Admin.PostOkAsync($"{tenant.Base}/agents/{id}/reset-password");
        await factory.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);
        Assert.Contains(factory.Sent, m => m.Body.Contains((string)reset["initialPassword"]!, StringComparison.Ordinal));
    }
}
