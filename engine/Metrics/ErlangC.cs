namespace Engine.Metrics;

/// <summary>
/// Erlang C's figures for <see cref="Agents"/> agents facing a traffic: the probability that a conversation waits at all
/// (Erlang C), the share answered within the threshold, the average speed of answer in seconds and the agents'
/// occupancy. A figure that is 0/0 is null ("--"): with no traffic and no agents, all four. With agents but no
/// traffic nobody waits (0, 1, 0 s, 0). With no more agents than Erlangs the queue grows without end: every
/// conversation waits (1), none within any threshold (0), the average wait is unbounded (null) and the agents are
/// always busy (1; null for no agents).
/// </summary>
public sealed record ErlangCFigures(int Agents, double? ProbabilityOfWaiting, double? ServiceLevel, double? AsaSeconds, double? Occupancy);

/// <summary>
/// A skill group's Erlang C staffing suggestion with the formula's inputs beside it, as a planner's page shows them:
/// the arrival rate per hour, the average handle time, the answer threshold and the target service level; the traffic
/// A in Erlangs; whether the target was met within the search's cap; and the figures at the suggested agents.
/// </summary>
public sealed record StaffingSuggestion(
    double ArrivalsPerHour,
    double AhtSeconds,
    double ThresholdSeconds,
    double TargetServiceLevel,
    double TrafficErlangs,
    bool TargetMet,
    ErlangCFigures Suggested);

/// <summary>
/// Erlang C (M/M/N: Poisson arrivals, exponential handle times, nobody abandons, so it errs towards more agents where
/// customers do give up), pure. Traffic A = arrivals per hour × AHT in hours. With N agents, N &gt; A: the probability
/// of waiting Pw = C(N, A), the service level SL = 1 − Pw·e^(−(N−A)·T/AHT) for threshold T, the ASA = Pw·AHT/(N−A) and
/// the occupancy A/N. C comes from Erlang B's recursion, B(0) = 1, B(n) = A·B(n−1)/(n + A·B(n−1)), and C = N·B/(N − A·(1 − B)): every step stays within [0, 1], so
/// traffic in the thousands of Erlangs neither overflows (A^N/N! would, past N = 170) nor loses precision, and the
/// search for N carries B forward, one step per agent.
/// </summary>
public static class ErlangC
{
    /// <summary>Where <see cref="Suggest"/> stops looking when no smaller number of agents meets the target.</summary>
    public const int DefaultMaxAgents = 10_000;

    /// <summary>
    /// The least N &gt; A whose service level is at least <paramref name="targetServiceLevel"/> (a share in (0, 1))
    /// within <paramref name="answerThreshold"/>, for <paramref name="arrivals"/> in a period of length
    /// <paramref name="period"/> (the last hour's arrivals over one hour, say). No arrivals suggest 0 agents with
    /// every figure null. When even <paramref name="maxAgents"/> misses the target, the suggestion is the cap with
    /// <see cref="StaffingSuggestion.TargetMet"/> false and the figures the cap gives.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A negative, NaN or infinite count; a period that is not positive; a negative AHT, or a zero AHT with arrivals; a
    /// negative threshold; a target outside (0, 1); a cap below 1; or a traffic too large for a double.
    /// </exception>
    public static StaffingSuggestion Suggest(
        double arrivals,
        TimeSpan period,
        TimeSpan averageHandleTime,
        double targetServiceLevel,
        TimeSpan answerThreshold,
        int maxAgents = DefaultMaxAgents)
    {
        if (!double.IsFinite(arrivals) || arrivals < 0) throw new ArgumentOutOfRangeException(nameof(arrivals), arrivals, "Arrivals are a finite count of zero or more.");
        if (period <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(period), period, "The period is longer than zero.");
        if (double.IsNaN(targetServiceLevel) || targetServiceLevel <= 0 || targetServiceLevel >= 1)
            throw new ArgumentOutOfRangeException(nameof(targetServiceLevel), targetServiceLevel, "The target is a share between 0 and 1, both excluded.");
        if (maxAgents < 1) throw new ArgumentOutOfRangeException(nameof(maxAgents), maxAgents, "The cap is at least one agent.");
        var perHour = arrivals / period.TotalHours;
        var (traffic, aht, threshold) = Checked(perHour * averageHandleTime.TotalHours, nameof(arrivals), arrivals > 0, averageHandleTime, answerThreshold);

        ErlangCFigures Figures(int agents, double blocking) => FiguresOf(traffic, agents, blocking, aht, threshold);
        StaffingSuggestion Suggestion(bool met, ErlangCFigures figures) => new(perHour, aht, threshold, targetServiceLevel, traffic, met, figures);

        if (traffic == 0) return Suggestion(true, Figures(0, 1));
        var b = 1.0;
        for (var n = 1; n <= maxAgents; n++)
        {
            b = NextBlocking(traffic, n, b);
            if (n <= traffic) continue;
            var figures = Figures(n, b);
            if (figures.ServiceLevel >= targetServiceLevel) return Suggestion(true, figures);
        }
        return Suggestion(false, Figures(maxAgents, b));
    }

    /// <summary>Erlang C's figures for <paramref name="agents"/> agents facing <paramref name="trafficErlangs"/> Erlangs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A negative, NaN or infinite traffic; negative agents; a negative AHT, or a zero AHT with traffic; a negative threshold.
    /// </exception>
    public static ErlangCFigures At(double trafficErlangs, int agents, TimeSpan averageHandleTime, TimeSpan answerThreshold)
    {
        if (agents < 0) throw new ArgumentOutOfRangeException(nameof(agents), agents, "Agents are zero or more.");
        var (traffic, aht, threshold) = Checked(trafficErlangs, nameof(trafficErlangs), trafficErlangs > 0, averageHandleTime, answerThreshold);
        var b = 1.0;
        for (var n = 1; n <= agents; n++) b = NextBlocking(traffic, n, b);
        return FiguresOf(traffic, agents, b, aht, threshold);
    }

    private static (double Traffic, double AhtSeconds, double ThresholdSeconds) Checked(
        double traffic, string trafficName, bool anythingArrives, TimeSpan averageHandleTime, TimeSpan answerThreshold)
    {
        if (averageHandleTime < TimeSpan.Zero || (averageHandleTime == TimeSpan.Zero && anythingArrives))
            throw new ArgumentOutOfRangeException(nameof(averageHandleTime), averageHandleTime, "The average handle time is longer than zero when anything arrives.");
        if (answerThreshold < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(answerThreshold), answerThreshold, "The answer threshold is zero or more.");
        if (!double.IsFinite(traffic) || traffic < 0) throw new ArgumentOutOfRangeException(trafficName, traffic, "The traffic is a finite number of Erlangs, zero or more.");
        return (traffic, averageHandleTime.TotalSeconds, answerThreshold.TotalSeconds);
    }

    /// <summary>Erlang B for <paramref name="n"/> servers from its value for n − 1.</summary>
    private static double NextBlocking(double traffic, int n, double previous) => traffic * previous / (n + traffic * previous);

    private static ErlangCFigures FiguresOf(double traffic, int agents, double blocking, double aht, double threshold)
    {
        if (traffic == 0) return agents == 0 ? new(0, null, null, null, null) : new(agents, 0, 1, 0, 0);
        if (agents <= traffic) return new(agents, 1, 0, null, agents == 0 ? null : 1);
        var spare = agents - traffic;
        var waiting = agents * blocking / (agents - traffic * (1 - blocking));
        return new(agents, waiting, 1 - waiting * Math.Exp(-spare * threshold / aht), waiting * aht / spare, traffic / agents);
    }
}
