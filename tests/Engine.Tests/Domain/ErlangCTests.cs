using Engine.Metrics;
using FsCheck.Xunit;

namespace Engine.Tests.Domain;

/// <summary>
/// Issue 16's Erlang C staffing suggestion against published worked examples (the address of each is beside its
/// figures), the Halfin–Whitt limit for traffic in the thousands, and the edges: no arrivals, the cap, bad inputs.
/// </summary>
public sealed class ErlangCTests
{
    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Ten_Erlangs_at_80_percent_in_20_seconds_need_14_agents_with_the_published_figures_beside_them()
    {
        // 100 calls in 30 minutes, AHT 180 s, 80% within 20 s: 10 Erlangs, 14 agents, Pw 0.1741319335950498,
        // SL 0.8883500191794669, occupancy 0.7142857142857143 (https://pypi.org/project/pyworkforce/0.1.0/), and the
        // same with ASA 7.83593701177724 s (https://rdocumentation.org/packages/ErlangC/versions/0.1.0).
        var suggestion = ErlangC.Suggest(100, HalfHour, Seconds(180), 0.8, Seconds(20));

        Assert.Equal((200.0, 180.0, 20.0, 0.8, true), (suggestion.ArrivalsPerHour, suggestion.AhtSeconds, suggestion.ThresholdSeconds, suggestion.TargetServiceLevel, suggestion.TargetMet));
        Assert.Equal(10, suggestion.TrafficErlangs, 12);
        var at = suggestion.Suggested;
        Assert.Equal(14, at.Agents);
        Assert.Equal(0.1741319335950498, at.ProbabilityOfWaiting!.Value, 12);
        Assert.Equal(0.8883500191794669, at.ServiceLevel!.Value, 12);
        Assert.Equal(7.83593701177724, at.AsaSeconds!.Value, 10);
        Assert.Equal(0.7142857142857143, at.Occupancy!.Value, 12);
    }

    [Theory]
    // 200 calls per half hour, AHT 3 min, 80% within 60 s: 23 agents (https://rdrr.io/github/phubers/erlang/f/vignettes/vignette.Rmd).
    [InlineData(200, 30, 180, 0.8, 60, 23)]
    // 25 contacts per 10-minute interval, AHT 180 s, 80% within 20 s: 11 productive agents (https://pypi.org/project/turbotab/).
    [InlineData(25, 10, 180, 0.8, 20, 11)]
    // 600 calls an hour of 120 s (20 Erlangs) with at most 15% delayed: 26 circuits
    // (http://personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm); a threshold of 0 s makes the service level 1 − Pw.
    [InlineData(600, 60, 120, 0.85, 0, 26)]
    public void The_suggestion_is_the_published_number_of_agents(double arrivals, int periodMinutes, double ahtSeconds, double target, double thresholdSeconds, int agents)
    {
        var suggestion = ErlangC.Suggest(arrivals, TimeSpan.FromMinutes(periodMinutes), Seconds(ahtSeconds), target, Seconds(thresholdSeconds));

        Assert.True(suggestion.TargetMet);
        Assert.Equal(agents, suggestion.Suggested.Agents);
        Assert.True(suggestion.Suggested.ServiceLevel >= target);
        // The least such N: one agent fewer misses the target.
        var fewer = ErlangC.At(suggestion.TrafficErlangs, agents - 1, Seconds(ahtSeconds), Seconds(thresholdSeconds));
        Assert.True(fewer.ServiceLevel < target);
    }

    [Theory]
    // 10 Erlangs, AHT 180 s, 20 s: 11 agents wait 0.6821182 and answer 0.3896138 in time
    // (the search table of https://stat.ethz.ch/CRAN/web/packages/ErlangC/readme/README.html).
    [InlineData(10, 11, 180, 20, 0.6821182, 0.3896138, 1e-7)]
    // 10 Erlangs at 15 agents: Pw 0.102, SL 0.941, occupancy 0.667, to three places
    // (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py, test_over_occupancy_erlangc).
    [InlineData(10, 15, 180, 20, 0.102, 0.941, 5e-4)]
    // 1000 calls an hour, AHT 120 s (33.333 Erlangs), 40 agents, 20 s: waiting 19.07%, service level 93.72%
    // (https://pypi.org/project/call-center-tools/).
    [InlineData(1000.0 * 120 / 3600, 40, 120, 20, 0.1907, 0.9372, 5e-5)]
    // 20 Erlangs on 30 circuits: delay probability 2.5% (http://personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm).
    [InlineData(20, 30, 120, 0, 0.025, 0.975, 5e-4)]
    public void The_figures_at_a_number_of_agents_are_the_published_ones(double erlangs, int agents, double ahtSeconds, double thresholdSeconds, double waiting, double serviceLevel, double tolerance)
    {
        var figures = ErlangC.At(erlangs, agents, Seconds(ahtSeconds), Seconds(thresholdSeconds));

        Assert.Equal(agents, figures.Agents);
        Assert.InRange(figures.ProbabilityOfWaiting!.Value, waiting - tolerance, waiting + tolerance);
        Assert.InRange(figures.ServiceLevel!.Value, serviceLevel - tolerance, serviceLevel + tolerance);
    }

    [Fact]
    public void ASA_and_occupancy_are_the_published_ones()
    {
        // 33.333 Erlangs on 40 agents: ASA 3.43 s, occupancy 83.33% (https://pypi.org/project/call-center-tools/).
        var fortyAgents = ErlangC.At(1000.0 * 120 / 3600, 40, Seconds(120), Seconds(20));
        Assert.Equal((3.43, 0.8333), (Math.Round(fortyAgents.AsaSeconds!.Value, 2), Math.Round(fortyAgents.Occupancy!.Value, 4)));
        // 20 Erlangs on 26 circuits: average delay "3 seconds per call"
        // (http://personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm); 14.34% of calls wait 120·0.1434/6 = 2.87 s on average.
        var twentySix = ErlangC.At(20, 26, Seconds(120), TimeSpan.Zero);
        Assert.Equal(3, Math.Round(twentySix.AsaSeconds!.Value));
        Assert.True(twentySix.ProbabilityOfWaiting < 0.15);
    }

    /// <summary>
    /// Halfin and Whitt (1981): with N = A + β√A agents, Pw tends to 1 / (1 + β·Φ(β)/φ(β)) as A grows (reviewed in
    /// §2.1, "Many exponential servers", of https://ar5iv.labs.arxiv.org/html/1706.05397; the standard normal's
    /// Φ(1) = 0.8413447460685429, φ(1) = 0.24197072451914337, Φ(2) = 0.9772498680518208, φ(2) = 0.05399096651318806).
    /// The gap closes like 1/√A, from above; A^N/N! would overflow a double from N = 171 on.
    /// </summary>
    [Theory]
    [InlineData(400, 1)]
    [InlineData(2_500, 1)]
    [InlineData(10_000, 1)]
    [InlineData(1_000_000, 1)]
    [InlineData(400, 2)]
    [InlineData(10_000, 2)]
    [InlineData(1_000_000, 2)]
    public void Traffic_in_the_thousands_of_Erlangs_meets_the_Halfin_Whitt_limit(int erlangs, int beta)
    {
        var limit = beta == 1 ? 1 / (1 + 0.8413447460685429 / 0.24197072451914337) : 1 / (1 + 2 * 0.9772498680518208 / 0.05399096651318806);
        var agents = erlangs + beta * (int)Math.Sqrt(erlangs);

        var figures = ErlangC.At(erlangs, agents, Seconds(180), Seconds(20));

        var tolerance = 0.2 / Math.Sqrt(erlangs);
        Assert.InRange(figures.ProbabilityOfWaiting!.Value, limit, limit + tolerance);
        Assert.True(double.IsFinite(figures.AsaSeconds!.Value) && figures.ServiceLevel > 1 - figures.ProbabilityOfWaiting);
    }

    [Fact]
    public void Ten_thousand_Erlangs_are_staffed_near_the_square_root_rule()
    {
        // 200,000 calls an hour of 180 s; answered at once (threshold 0) with the Halfin–Whitt β = 1 share: N ≈ A + √A.
        var target = 1 - 1 / (1 + 0.8413447460685429 / 0.24197072451914337);

        var suggestion = ErlangC.Suggest(200_000, TimeSpan.FromHours(1), Seconds(180), target, TimeSpan.Zero, maxAgents: 20_000);

        Assert.Equal(10_000, suggestion.TrafficErlangs, 9);
        Assert.True(suggestion.TargetMet);
        Assert.InRange(suggestion.Suggested.Agents, 10_100, 10_102);
    }

    [Property(MaxTest = 200)]
    public void More_agents_never_lower_the_service_level_nor_raise_the_wait(int trafficSeed, int ahtSeed, int thresholdSeed)
    {
        var traffic = 0.1 + Math.Abs(trafficSeed % 5_000) / 10.0;
        var aht = Seconds(10 + Math.Abs(ahtSeed % 900));
        var threshold = Seconds(Math.Abs(thresholdSeed % 120));
        var first = (int)Math.Floor(traffic) + 1;

        var figures = Enumerable.Range(first, 40).Select(n => ErlangC.At(traffic, n, aht, threshold)).ToList();

        foreach (var (fewer, more) in figures.Zip(figures.Skip(1)))
        {
            Assert.True(more.ServiceLevel >= fewer.ServiceLevel, $"SL {fewer.ServiceLevel} at {fewer.Agents} > {more.ServiceLevel} at {more.Agents}");
            Assert.True(more.ProbabilityOfWaiting <= fewer.ProbabilityOfWaiting);
            Assert.True(more.AsaSeconds <= fewer.AsaSeconds);
            Assert.InRange(more.ServiceLevel!.Value, 0, 1);
        }
    }

    [Fact]
    public void Service_level_rises_strictly_with_each_agent_until_the_target()
    {
        var levels = Enumerable.Range(11, 4).Select(n => ErlangC.At(10, n, Seconds(180), Seconds(20)).ServiceLevel!.Value).ToList();
        Assert.Equal(levels.Order(), levels);
        Assert.Equal(4, levels.Distinct().Count());
        Assert.True(levels[2] < 0.8 && levels[3] >= 0.8);
    }

    [Fact]
    public void No_arrivals_suggest_no_agents_and_every_figure_as_dashes()
    {
        var none = ErlangC.Suggest(0, TimeSpan.FromHours(1), Seconds(180), 0.8, Seconds(20));
        Assert.Equal((0.0, 0.0, true), (none.ArrivalsPerHour, none.TrafficErlangs, none.TargetMet));
        Assert.Equal(new ErlangCFigures(0, null, null, null, null), none.Suggested);
        // With nothing arriving, an AHT of zero is no error.
        Assert.Equal(0, ErlangC.Suggest(0, TimeSpan.FromHours(1), TimeSpan.Zero, 0.8, Seconds(20)).Suggested.Agents);
        // Agents without traffic: nobody waits, all answered at once, nobody busy.
        Assert.Equal(new ErlangCFigures(3, 0, 1, 0, 0), ErlangC.At(0, 3, Seconds(180), Seconds(20)));
    }

    [Fact]
    public void A_cap_that_is_not_enough_is_suggested_with_the_target_missed()
    {
        // 10 Erlangs with at most 11 agents: 11 answer 38.96% within 20 s (README of https://stat.ethz.ch/CRAN/web/packages/ErlangC/).
        var capped = ErlangC.Suggest(100, HalfHour, Seconds(180), 0.8, Seconds(20), maxAgents: 11);
        Assert.False(capped.TargetMet);
        Assert.Equal(11, capped.Suggested.Agents);
        Assert.Equal(0.3896138, capped.Suggested.ServiceLevel!.Value, 7);

        // A cap at or below the traffic: the queue grows without end.
        var unstable = ErlangC.Suggest(100, HalfHour, Seconds(180), 0.8, Seconds(20), maxAgents: 10);
        Assert.Equal((false, new ErlangCFigures(10, 1, 0, null, 1)), (unstable.TargetMet, unstable.Suggested));
        Assert.Equal(new ErlangCFigures(0, 1, 0, null, null), ErlangC.At(10, 0, Seconds(180), Seconds(20)));
    }

    [Fact]
    public void Bad_inputs_are_refused_naming_the_parameter()
    {
        static void Refused(string parameter, Action call) => Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);
        var hour = TimeSpan.FromHours(1);
        var aht = Seconds(180);
        var threshold = Seconds(20);

        Refused("arrivals", () => ErlangC.Suggest(-1, hour, aht, 0.8, threshold));
        Refused("arrivals", () => ErlangC.Suggest(double.NaN, hour, aht, 0.8, threshold));
        Refused("arrivals", () => ErlangC.Suggest(double.PositiveInfinity, hour, aht, 0.8, threshold));
        Refused("arrivals", () => ErlangC.Suggest(double.MaxValue, TimeSpan.FromTicks(1), aht, 0.8, threshold));
        Refused("period", () => ErlangC.Suggest(100, TimeSpan.Zero, aht, 0.8, threshold));
        Refused("period", () => ErlangC.Suggest(100, -hour, aht, 0.8, threshold));
        Refused("averageHandleTime", () => ErlangC.Suggest(100, hour, TimeSpan.Zero, 0.8, threshold));
        Refused("averageHandleTime", () => ErlangC.Suggest(100, hour, -aht, 0.8, threshold));
        foreach (var target in new[] { 0, 1, -0.1, 1.5, double.NaN })
            Refused("targetServiceLevel", () => ErlangC.Suggest(100, hour, aht, target, threshold));
        Refused("answerThreshold", () => ErlangC.Suggest(100, hour, aht, 0.8, -threshold));
        Refused("maxAgents", () => ErlangC.Suggest(100, hour, aht, 0.8, threshold, maxAgents: 0));

        Refused("trafficErlangs", () => ErlangC.At(-1, 5, aht, threshold));
        Refused("trafficErlangs", () => ErlangC.At(double.NaN, 5, aht, threshold));
        Refused("agents", () => ErlangC.At(10, -1, aht, threshold));
        Refused("averageHandleTime", () => ErlangC.At(10, 12, TimeSpan.Zero, threshold));
        Refused("answerThreshold", () => ErlangC.At(10, 12, aht, -threshold));
    }
}
