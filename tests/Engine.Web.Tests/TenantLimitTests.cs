using System.Net;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

/// <summary>TN-1 counts every tenant of the platform: each store here starts empty.</summary>
public abstract class TenantLimitContract(EngineFactory factory)
{
    [Fact]
    public async Task TN1_at_most_20_tenants_even_when_created_in_parallel()
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var responses = await Task.WhenAll(Enumerable.Range(0, TenantService.MaxTenants + 4).Select(i =>
            op.PostAsync("/api/v1/tenants", new { name = $"T{i}", adminName = "Admin", adminEmail = $"limit-{i}-{Guid.NewGuid():N}@t.test" })));
        Assert.Equal(TenantService.MaxTenants, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(TenantService.MaxTenants, (int)(await op.GetOkAsync("/api/v1/tenants"))["total"]!);
    }
}

public sealed class TenantLimitOnSqliteTests(TenantLimitOnSqliteTests.Server factory) : TenantLimitContract(factory), IClassFixture<TenantLimitOnSqliteTests.Server>
{
    public sealed class Server : EngineFactory;
}

public sealed class TenantLimitOnPostgresTests(PostgresEngineFactory factory) : TenantLimitContract(factory), IClassFixture<PostgresEngineFactory>;
