using Engine.Persistence.Admin;
using Engine.Web.Auth;

namespace Engine.Web.Admin;

/// <summary>TN-1, TN-2: tenants with their first admin.</summary>
public sealed class TenantService(TenantStore tenants, Passwords passwords, InitialPasswords delivery, TimeProvider time)
{
    /// <summary>TN-1: a platform account owns at most this many tenants.</summary>
    public const int MaxTenants = 20;

    public async Task<(TenantRow Tenant, UserRow Admin, string InitialPassword)> CreateAsync(string name, string adminName, string adminEmail, string? adminPhone, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var tenant = new TenantRow { Id = Ids.New(), Name = name, CreatedAt = now, UpdatedAt = now };
        var initialPassword = Passwords.Generate();
        var admin = new UserRow
        {
            Id = Ids.New(), TenantId = tenant.Id, Email = adminEmail, Name = adminName, Phone = adminPhone, Role = Roles.Admin,
            PasswordHash = passwords.Hash(initialPassword), MustChangePassword = 1, CreatedAt = now, UpdatedAt = now,
        };
        if (!await tenants.CreateAsync(tenant, admin, delivery.Message(admin, initialPassword), MaxTenants, cancellationToken))
            throw new DomainLimitException($"The platform account already owns {MaxTenants} tenants, the most it may (TN-1).");
        return (tenant, admin, initialPassword);
    }
}

/// <summary>A count limit of the product is reached (a 409).</summary>
public sealed class DomainLimitException(string message) : Engine.StateMachines.DomainException(message);
