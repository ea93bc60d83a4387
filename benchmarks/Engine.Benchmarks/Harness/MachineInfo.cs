using System.Runtime;
using System.Runtime.InteropServices;

namespace Engine.Benchmarks.Harness;

/// <summary>What the figures were measured on; printed above every table and stored in every JSON file.</summary>
internal sealed record MachineInfo(
    int ProcessorCount,
    string? ProcessorName,
    string Os,
    string OsArchitecture,
    string DotnetVersion,
    string Configuration,
    bool ServerGc,
    string GcLatencyMode)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ReadProcessorName(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.OSArchitecture.ToString(),
        RuntimeInformation.FrameworkDescription,
#if DEBUG
        "Debug",
#else
        "Release",
#endif
        GCSettings.IsServerGC,
        GCSettings.LatencyMode.ToString());

    private static string? ReadProcessorName()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo)) return null;
        try
        {
            foreach (var line in File.ReadLines(cpuInfo))
            {
                if (!line.StartsWith("model name", StringComparison.Ordinal)) continue;
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? null : line[(colon + 1)..].Trim();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The name is a nicety: without it the report still says how many cores there were.
        }
        return null;
    }
}
