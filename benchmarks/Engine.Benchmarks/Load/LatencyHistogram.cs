namespace Engine.Benchmarks.Load;

/// <summary>Lock-free latency histogram: 10 µs buckets up to 100 ms, 1 ms buckets up to 10 s.</summary>
internal sealed class LatencyHistogram
{
    private const int FineBuckets = 10_000;
    private const int CoarseBuckets = 9_900;
    private readonly long[] _counts = new long[FineBuckets + CoarseBuckets + 1];
    private long _total;

    public long Count => Volatile.Read(ref _total);

    public void Record(TimeSpan latency)
    {
        var micros = latency.Ticks / 10;
        int bucket;
        if (micros < 100_000) bucket = (int)(micros / 10);
        else if (micros < 10_000_000) bucket = FineBuckets + (int)((micros - 100_000) / 1_000);
        else bucket = _counts.Length - 1;
        Interlocked.Increment(ref _counts[Math.Max(0, bucket)]);
        Interlocked.Increment(ref _total);
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Volatile.Write(ref _total, 0);
    }

    /// <summary>The latency in milliseconds below which <paramref name="quantile"/> of the samples fall (bucket upper bound).</summary>
    public double Percentile(double quantile)
    {
        var total = Count;
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return UpperBoundMs(i);
        }
        return UpperBoundMs(_counts.Length - 1);
    }

    private static double UpperBoundMs(int bucket) => bucket < FineBuckets
        ? (bucket + 1) * 0.01
        : bucket < FineBuckets + CoarseBuckets ? 100 + (bucket - FineBuckets + 1) : 10_000;
}
