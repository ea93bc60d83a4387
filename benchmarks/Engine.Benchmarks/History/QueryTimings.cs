using System.Diagnostics;
using System.Globalization;

namespace Engine.Benchmarks.History;

/// <summary>
/// Times named queries: each runs <c>warmUp</c> times unmeasured, then all of them in turn <c>runs</c> times (round
/// robin, so that a burst of load on the shared machine spreads over all of them rather than spoiling one), one at a time.
/// </summary>
internal sealed class QueryTimings
{
    private readonly List<(string Name, Func<CancellationToken, Task> Run)> _queries = [];
    private readonly Dictionary<string, List<double>> _samples = new(StringComparer.Ordinal);

    public void Add(string name, Func<CancellationToken, Task> run) => _queries.Add((name, run));

    public async Task RunAsync(int warmUp, int runs, CancellationToken cancellationToken)
    {
        foreach (var (_, run) in _queries)
            for (var i = 0; i < warmUp; i++) await run(cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < runs; round++)
        {
            foreach (var (name, run) in _queries)
            {
                var started = Stopwatch.GetTimestamp();
                await run(cancellationToken).ConfigureAwait(false);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!_samples.TryGetValue(name, out var samples)) _samples[name] = samples = [];
                samples.Add(ms);
            }
        }
    }

    /// <summary>The <paramref name="quantile"/> (nearest rank) of every sample, in ms to 0.1.</summary>
    public double Percentile(double quantile) => Percentile([.. _samples.Values.SelectMany(s => s)], quantile);

    /// <summary>Each query's P95 in ms, in the order they were added.</summary>
    public IReadOnlyDictionary<string, double> P95ByQuery()
    {
        var byQuery = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, _) in _queries) byQuery[name] = Percentile(_samples[name], 0.95);
        return byQuery;
    }

    /// <summary>An aligned table of each query's P50, P95 and max in the order added, a P95 above <paramref name="targetMs"/> marked.</summary>
    public string Table(string title, double targetMs)
    {
        var width = Math.Max(title.Length, _queries.Max(q => q.Name.Length));
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"  {title.PadRight(width)}  {"p50 ms",9}  {"p95 ms",9}  {"max ms",9}").AppendLine();
        foreach (var (name, _) in _queries)
        {
            var samples = _samples[name];
            var p95 = Percentile(samples, 0.95);
            text.Append(CultureInfo.InvariantCulture, $"  {name.PadRight(width)}  {Percentile(samples, 0.5),9:F1}  {p95,9:F1}  {samples.Max(),9:F1}{(p95 > targetMs ? "  > target" : "")}").AppendLine();
        }
        return text.ToString();
    }

    private static double Percentile(List<double> samples, double quantile)
    {
        if (samples.Count == 0) return 0;
        samples.Sort();
        var rank = (int)Math.Ceiling(quantile * samples.Count);
        return Math.Round(samples[Math.Clamp(rank - 1, 0, samples.Count - 1)], 1);
    }
}
