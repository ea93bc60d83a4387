using System.Net;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

public sealed class TenantConfigurationTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task ST1_mode_settings_are_stored_and_returned_per_mode()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var phone = await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/settings/phone",
            new { timeoutTransfer = true, timeoutTransferSeconds = 20, policy = "roundRobin", lastAgentPriority = true, statusRecovery = true, statusRecoverySeconds = 15 });
        Assert.Equal("roundRobin", (string?)phone["policy"]);
        var read = await tenant.Admin.GetOkAsync($"{tenant.Base}/settings/phone");
        Assert.Equal(phone.ToJsonString(), read.ToJsonString());
        var online = await tenant.Admin.GetOkAsync($"{tenant.Base}/settings/online");
        Assert.False((bool)online["timeoutTransfer"]!);
        Assert.Null(online["policy"]);
        await ApiClient.ProblemAsync(await tenant.Admin.GetAsync($"{tenant.Base}/settings/fax"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"timeoutTransfer":true,"timeoutTransferSeconds":0}""", "timeoutTransferSeconds")]
    [InlineData("""{"timeoutTransfer":true,"timeoutTransferSeconds":91}""", "timeoutTransferSeconds")]
    [InlineData("""{"statusRecovery":true,"statusRecoverySeconds":91}""", "statusRecoverySeconds")]
    [InlineData("""{"policy":"loudest"}""", "policy")]
    public async Task ST1_phone_settings_out_of_the_ranges_of_RT4_and_AS7_are_refused_naming_the_field(string body, string field)
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var before = await tenant.Admin.GetOkAsync($"{tenant.Base}/settings/phone");
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/settings/phone", body), field);
        Assert.Equal(before.ToJsonString(), (await tenant.Admin.GetOkAsync($"{tenant.Base}/settings/phone")).ToJsonString());
    }

    [Fact]
    public async Task ST1_phone_only_settings_are_refused_for_online_groups()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var response = await tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/settings/online", new { timeoutTransfer = true, timeoutTransferSeconds = 30, statusRecovery = true });
        await ApiClient.FieldErrorAsync(response, "statusRecovery");
    }

    [Fact]
    public async Task RT4_timeout_transfer_set_through_the_api_reaches_the_groups_of_the_mode()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/settings/online", new { timeoutTransfer = true, timeoutTransferSeconds = 45 });
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v", mode = "online" });
        Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(async () => (await agent.GetOkAsync($"{tenant.Base}/me/offers")).AsArray() is [{ } o] && o["deadline"] is not null, TimeSpan.FromSeconds(10), CancellationToken.None));
        var offer = (await agent.GetOkAsync($"{tenant.Base}/me/offers"))[0]!;
        var offeredAt = DateTimeOffset.Parse((string)offer["offeredAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        var deadline = DateTimeOffset.Parse((string)offer["deadline"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(45, (deadline - offeredAt).TotalSeconds, 0.5);
    }

    [Fact]
    public async Task TN2_admins_are_added_edited_reset_and_deleted_and_the_last_one_stays()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var email = $"second-{Guid.NewGuid():N}@tenant.test";
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/admins", new { name = "Second", email, phone = "123" });
        var id = (string)created["admin"]!["id"]!;
        var edited = await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/admins/{id}", new { name = "Second Admin", phone = "456" });
        Assert.Equal(("Second Admin", "456"), ((string?)edited["name"], (string?)edited["phone"]));
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/admins/{id}", new { email = "new@x.test" }), "email");
        Assert.Equal(2, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/admins"))["total"]!);

        // The new admin configures the tenant once past the first sign-in.
        var reset = await tenant.Admin.PostOkAsync($"{tenant.Base}/admins/{id}/reset-password");
        using var second = await ApiClient.SignInAsync(factory, email, (string)reset["initialPassword"]!, "Second#2026");
        await second.GetOkAsync($"{tenant.Base}/agents");

        Assert.Equal(HttpStatusCode.NoContent, (await second.SendAsync(HttpMethod.Delete, $"{tenant.Base}/admins/{tenant.AdminId}")).StatusCode);
        await ApiClient.ProblemAsync(await second.SendAsync(HttpMethod.Delete, $"{tenant.Base}/admins/{id}"), HttpStatusCode.Conflict);
        using var anonymous = ApiClient.Anonymous(factory);
        await ApiClient.ProblemAsync(await anonymous.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = TestTenant.Password }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TN2_the_operator_manages_a_tenants_admins_but_not_its_agents()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var created = await op.PostOkAsync($"{tenant.Base}/admins", new { name = "By operator", email = $"op-{Guid.NewGuid():N}@tenant.test" });
        Assert.False(string.IsNullOrEmpty((string?)created["initialPassword"]));
        await ApiClient.ProblemAsync(await op.GetAsync($"{tenant.Base}/agents"), HttpStatusCode.Forbidden);
    }
}
