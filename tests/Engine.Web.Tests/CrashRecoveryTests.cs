using Engine.Driver;

namespace Engine.Web.Tests;

/// <summary>
/// The real server process, SIGKILLed with 1,000 conversations in flight (queued, offered, active) and
/// messages being written, then started again on the same store. The harness runs the same round in a
/// loop (<c>crash --store sqlite|postgres --rounds N</c>).
/// </summary>
public sealed class CrashRecoveryTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Killing_the_server_loses_no_acknowledged_conversation_or_message_and_routing_resumes(string store)
    {
        var postgres = store == "postgres"
            ? Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the tests with ./test.sh.")
            : null;
        var workDir = Directory.CreateTempSubdirectory("engine-crash-test-").FullName;
        var result = await CrashRound.RunAsync(1, store, postgres, new CrashOptions(), workDir, CancellationToken.None);

        // The round really had everything in flight.
        Assert.True(result.Queued > 0 && result.Offered > 0 && result.Active > 0, $"queued {result.Queued}, offered {result.Offered}, active {result.Active}");
        Assert.True(result.MessagesAcknowledged > 0, "no message was acknowledged before the kill");
        Assert.Equal(1000, result.Conversations);

        Assert.Equal(0, result.ConversationsLost);
        Assert.Equal(0, result.ConversationsChanged);
        Assert.Equal(0, result.AgentsChanged);
        Assert.True(result.QueueOrderKept, "the queue's order changed");
        Assert.Equal(0, result.MessagesLost);
        Assert.Equal(0, result.MessagesDuplicated);
        Assert.True(result.RoutingResumed, "the head of the queue was not offered after an agent freed capacity");
        Directory.Delete(workDir, recursive: true);
    }
}
