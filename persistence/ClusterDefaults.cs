using Orleans.Configuration;

namespace Engine.Persistence;

/// <summary>
/// Failure detection of a cluster of silos whose membership lives in the PostgreSQL tables of migration 0006:
/// the values for Orleans's <c>ClusterMembershipOptions</c>, named as its properties. This project does not
/// reference Orleans, so the silo's set-up copies them onto the options.
/// </summary>
/// <remarks>
/// With Orleans's defaults a crashed silo's grains came back on another silo after 12–19 s; a conversation waiting
/// on one of them waits that long. With these a killed silo is declared dead 2.3–3.5 s after the kill (measured by
/// <c>Engine.Tests.Cluster.ClusterTests</c> on two busy cores): its connections close, so its probes fail at once.
/// A silo that stops answering but keeps its connections open (a long pause) is voted out only once they have
/// been silent for 12 s (four times the probe timeout, times the missed probes: Orleans's connection check).
/// </remarks>
public static class ClusterDefaults
{
    /// <summary>
    /// Each silo probes the others about once a second (Orleans adapts each probe's timeout between half and four
    /// times this from the response times it sees), instead of every 5 s.
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Three probes in a row must fail before a silo votes (Orleans's default): one lost probe, a GC pause or a
    /// busy core must not start a vote; with probes every ~1 s the three cost about two seconds.
    /// </summary>
    public const int NumMissedProbesLimit = 3;

    /// <summary>
    /// Two votes declare a silo dead (Orleans's default), so one silo with trouble of its own cannot evict a healthy
    /// one. It costs no time: Orleans 10.4.2 needs at most a majority of the active silos' votes (one of two silos
    /// suffices), and in larger clusters the last probe before a vote goes through another silo, whose failed probe
    /// is the second vote.
    /// </summary>
    public const int NumVotesForDeathDeclaration = 2;

    /// <summary>
    /// A silo writes its heartbeat to the table every 5 s (default 30 s). Probes, not heartbeats, declare a silo
    /// dead; but a silo three heartbeats behind (15 s instead of 90 s) is stale: every silo starts probing it,
    /// gossip skips it, and it no longer counts among the active silos whose majority a death declaration needs.
    /// </summary>
    public static readonly TimeSpan IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Each silo re-reads the whole table every 10 s (default 60 s): changes normally arrive by gossip at once,
    /// and this bounds how late a silo that missed the gossip learns of a death or a join. One small query.
    /// </summary>
    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Rows of dead silos are removed after a day (default a week). Every restart leaves one (a new generation);
    /// they serve diagnosis only, and a day covers the incident a look at the table is for.
    /// </summary>
    public static readonly TimeSpan DefunctSiloExpiration = TimeSpan.FromDays(1);

    /// <summary>Sets these values on a silo's membership options.</summary>
    public static void ApplyTo(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.DefunctSiloExpiration = DefunctSiloExpiration;
    }
}
