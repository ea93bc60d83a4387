using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Engine.Benchmarks.Suites;

/// <summary>
/// The one configuration of every BenchmarkDotNet suite, passed by <c>Program</c> to the switcher (suites
/// need no attribute). A short in-process job: a 2-core machine runs a whole suite in a few minutes, and
/// no separate benchmark project has to be generated and built.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.Default
            .WithId("Short")
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)));
        AddDiagnoser(MemoryDiagnoser.Default);
        WithOptions(ConfigOptions.JoinSummary);
    }
}
