using Engine.Marketing;

namespace Engine.Grains.Routing;

/// <summary>A marketing account's reception as a chat run needs it at its Transfer (MK-3..MK-5): hours in the tenant's zone, robot mode, prompts.</summary>
public sealed record ReceptionDesk(ReceptionHours Hours, RobotMode Robot, AccountPrompts Prompts);

/// <summary>Where the grains read a marketing account's reception (the server's store; a test's dictionary).</summary>
public interface IReceptionDesks
{
    /// <summary>The account's reception as it stands; null for an account that is gone.</summary>
    ValueTask<ReceptionDesk?> GetAsync(string tenant, string accountId, CancellationToken cancellationToken);
}

/// <summary>The robot's best answer from the tenant's FAQ (MK-4, MK-7), and how sure it is, 0..1.</summary>
[GenerateSerializer, Immutable]
public sealed record RobotAnswer([property: Id(0)] string? EntryId, [property: Id(1)] string? Answer, [property: Id(2)] double Confidence);

/// <summary>A silo without marketing accounts (tests of the routing, benchmarks): every account is gone.</summary>
public sealed class NoReceptionDesks : IReceptionDesks
{
    public static readonly NoReceptionDesks Instance = new();

    public ValueTask<ReceptionDesk?> GetAsync(string tenant, string accountId, CancellationToken cancellationToken) => default;
}
