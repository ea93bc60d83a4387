using Engine.Driver;

namespace Engine.Web.Tests;

/// <summary>
/// The real server process, SIGKILLed with customers standing at every point of the two sample flows (FL-1..FL-4),
/// then started again on the same store: each customer carries on from the module they stood at. The harness runs the
/// same round in a loop (<c>crash --flow --store sqlite|postgres --rounds N</c>).
/// </summary>
public sealed class FlowCrashTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task FL3_FL4_A_conversation_in_the_middle_of_its_flow_survives_killing_the_server_and_carries_on_from_the_same_module(string store)
    {
        var postgres = store == "postgres"
            ? Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the tests with ./test.sh.")
            : null;
        var workDir = Directory.CreateTempSubdirectory("engine-flow-crash-test-").FullName;
        var result = await FlowCrashRound.RunAsync(1, store, postgres, new FlowCrashOptions(WebCustomers: 150, Callers: 60), workDir, CancellationToken.None);

        // Customers stood at every point when the server was killed.
        // (every one of the 5 agents answered one of the 50 handed to their group just before the kill)
        Assert.Equal((50, 50, 45, 5, 30, 30), (result.AtMenu, result.AtMenuAfterWrongAnswer, result.HandedToGroup, result.WithAgent, result.CallersAtMenu, result.CallersAfterWrongKey));
        Assert.Equal(0, result.BegunAgain);
        Assert.Equal(0, result.WrongAnswer);
        Assert.Equal(0, result.Failed);
        Assert.Equal(result.Customers, result.CarriedOn);
        Directory.Delete(workDir, recursive: true);
    }
}
