using System.Diagnostics;

namespace Engine.Benchmarks.Harness;

/// <summary>Wall time, CPU time, allocations and collections over one measured phase.</summary>
internal readonly struct PhaseMeter
{
    private readonly long _started;
    private readonly TimeSpan _cpu;
    private readonly long _allocated;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;

    private PhaseMeter(long started, TimeSpan cpu, long allocated, int gen0, int gen1, int gen2)
    {
        _started = started;
        _cpu = cpu;
        _allocated = allocated;
        _gen0 = gen0;
        _gen1 = gen1;
        _gen2 = gen2;
    }

    public static PhaseMeter Start()
    {
        using var process = Process.GetCurrentProcess();
        return new PhaseMeter(
            Stopwatch.GetTimestamp(),
            process.TotalProcessorTime,
            GC.GetTotalAllocatedBytes(precise: true),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2));
    }

    /// <summary>Ends the phase; <paramref name="operations"/> is how many operations completed in it.</summary>
    public PhaseStats Stop(long operations)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime - _cpu;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
        return new PhaseStats(
            operations,
            elapsed,
            cpu,
            allocated,
            GC.CollectionCount(0) - _gen0,
            GC.CollectionCount(1) - _gen1,
            GC.CollectionCount(2) - _gen2);
    }
}

internal sealed record PhaseStats(long Operations, TimeSpan Elapsed, TimeSpan CpuTime, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;

    /// <summary>Share of all cores this process used: below 1 means idle cores, or other processes taking them.</summary>
    public double CpuUtilization => CpuTime.TotalSeconds / Elapsed.TotalSeconds / Environment.ProcessorCount;

    /// <summary>Operations per second of this process's CPU time: comparable across runs on a busy machine.</summary>
    public double PerCpuSecond => CpuTime > TimeSpan.Zero ? Operations / CpuTime.TotalSeconds : 0;

    public double AllocatedBytesPerOperation => Operations == 0 ? 0 : (double)AllocatedBytes / Operations;
}
