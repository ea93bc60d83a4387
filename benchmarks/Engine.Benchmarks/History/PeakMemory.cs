using System.Diagnostics;
using System.Globalization;

namespace Engine.Benchmarks.History;

/// <summary>
/// The process's peak working set over a phase. On Linux the kernel's peak resident set (<c>VmHWM</c> in
/// <c>/proc/self/status</c>) is reset at the start by writing "5" to <c>/proc/self/clear_refs</c>, so the peak is the
/// phase's own (the process's resident memory at its start included); elsewhere the process's peak since it started.
/// </summary>
internal sealed class PeakMemory
{
    private const string ClearRefs = "/proc/self/clear_refs";
    private const string Status = "/proc/self/status";

    private PeakMemory(string method, double startMb)
    {
        Method = method;
        StartMb = startMb;
    }

    /// <summary>How the peak was taken, for the output.</summary>
    public string Method { get; }

    /// <summary>The resident memory when the phase began, in MB.</summary>
    public double StartMb { get; }

    /// <summary>Collects garbage left by what ran before, then starts the phase: resets the peak where the system can.</summary>
    public static PeakMemory Start()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (File.Exists(ClearRefs) && File.Exists(Status))
        {
            try
            {
                File.WriteAllText(ClearRefs, "5");
                return new PeakMemory("VmHWM of /proc/self/status, reset by writing 5 to /proc/self/clear_refs before the export", StatusMb("VmRSS"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not allowed here (a container may refuse it): the peak since the start is what is left.
            }
        }
        using var process = Process.GetCurrentProcess();
        return new PeakMemory("Process.PeakWorkingSet64: the peak since the process started (it cannot be reset here)", process.WorkingSet64 / 1024.0 / 1024.0);
    }

    /// <summary>The peak working set since <see cref="Start"/>, in MB.</summary>
    public double PeakMb()
    {
        if (Method.StartsWith("VmHWM", StringComparison.Ordinal)) return Math.Round(StatusMb("VmHWM"), 1);
        using var process = Process.GetCurrentProcess();
        return Math.Round(process.PeakWorkingSet64 / 1024.0 / 1024.0, 1);
    }

    /// <summary>A line of <c>/proc/self/status</c> such as <c>VmHWM:   123456 kB</c>, in MB.</summary>
    private static double StatusMb(string field)
    {
        foreach (var line in File.ReadLines(Status))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var kb = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
        }
        throw new InvalidOperationException($"{Status} has no {field}");
    }
}
