using Engine.Driver;

namespace Engine.Web.Tests;

/// <summary>
/// Three real server processes, each a silo and a web front, on one PostgreSQL store (<c>Engine:Cluster=postgres</c>):
/// conversations routed through all of them while one silo is killed with SIGKILL and started again. The harness runs
/// the same on a longer clock (<c>cluster --silos 3 --seconds 30 --kill-every 10</c>).
/// </summary>
public sealed class ClusterFailoverTests
{
    [Fact]
    public async Task RT5_SG3_A_silo_killed_under_load_loses_no_conversation_offers_none_twice_and_fails_over_within_seconds()
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the tests with ./test.sh.");
        var workDir = Directory.CreateTempSubdirectory("engine-cluster-test-").FullName;
        await using var store = await CrashStore.CreateAsync("postgres", workDir, postgres, CancellationToken.None);
        var result = await ClusterRun.RunAsync(
            new ClusterRunOptions(Silos: 3, Duration: TimeSpan.FromSeconds(16), KillEvery: TimeSpan.FromSeconds(8), Agents: 10, ReceptionCap: 2, InFlight: 20),
            store.Settings, workDir, CancellationToken.None);

        // The run really routed through the cluster and really lost a silo.
        Assert.Equal(1, result.Kills);
        Assert.True(result.ConversationsCompleted > 50, $"only {result.ConversationsCompleted} conversations completed");

        Assert.True(result.ConversationsLost == 0, $"{result.ConversationsLost} lost: {string.Join("; ", result.LostSample)}");
        Assert.Equal(0, result.DoubleOffers);
        Assert.Equal(0, result.OverCap);
        Assert.True(result.FailoverSecondsMax < 10, $"failover took {result.FailoverSecondsMax} s");
        Directory.Delete(workDir, recursive: true);
    }
}
