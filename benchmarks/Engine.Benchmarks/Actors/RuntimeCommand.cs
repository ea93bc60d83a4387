using Engine.Benchmarks.Harness;

namespace Engine.Benchmarks.Actors;

/// <summary><c>runtime</c>: throughput of the actor runtime (awaited calls and one-way messages).</summary>
internal sealed class RuntimeCommand : IHarnessCommand
{
    public string Summary => "actor runtime throughput: awaited grain-to-grain calls and one-way messages";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        HarnessOption.Seconds(5),
        new("warmup", OptionKind.Number, "warm-up seconds before each measured phase, excluded from the figures", "1", AllowZero: true),
        new("callers", OptionKind.Integer, "caller activations making awaited calls concurrently", "64"),
        new("senders", OptionKind.Integer, "sender activations sending one-way messages concurrently", "32"),
        new("sinks", OptionKind.Integer, "activations receiving the one-way messages", "256"),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var seconds = options.GetSeconds("seconds");
        var warmup = options.GetSeconds("warmup");
        var callers = options.GetInt("callers");
        var senders = options.GetInt("senders");
        var sinks = options.GetInt("sinks");

        await using var load = await RuntimeLoad.StartAsync().ConfigureAwait(false);
        if (warmup > TimeSpan.Zero)
        {
            await load.RunCallsAsync(callers, warmup, cancellationToken).ConfigureAwait(false);
            await load.RunOneWayAsync(senders, sinks, warmup, cancellationToken).ConfigureAwait(false);
        }
        var calls = await load.RunCallsAsync(callers, seconds, cancellationToken).ConfigureAwait(false);
        var oneWay = await load.RunOneWayAsync(senders, sinks, seconds, cancellationToken).ConfigureAwait(false);

        var result = new RuntimeResult(
            Math.Round(calls.PerSecond),
            Math.Round(oneWay.PerSecond),
            seconds.TotalSeconds,
            warmup.TotalSeconds,
            calls.Gen0 + oneWay.Gen0,
            Math.Round(calls.AllocatedBytesPerOperation, 1),
            Math.Round(oneWay.AllocatedBytesPerOperation, 1),
            new CallFigures(callers, calls.Operations, Math.Round(calls.Elapsed.TotalSeconds, 3), Math.Round(calls.CpuUtilization, 3), Math.Round(calls.PerCpuSecond), calls.Gen0, calls.Gen1, calls.Gen2),
            new OneWayFigures(senders, sinks, oneWay.Operations, Math.Round(oneWay.Elapsed.TotalSeconds, 3), Math.Round(oneWay.CpuUtilization, 3), Math.Round(oneWay.PerCpuSecond), oneWay.Gen0, oneWay.Gen1, oneWay.Gen2));
        await HarnessOutput.WriteAsync("runtime", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        if (Math.Min(calls.CpuUtilization, oneWay.CpuUtilization) < 0.8)
            Console.Out.WriteLine("note: this process used less than 80% of the cores; if other processes were busy, compare the perCpuSecond figures.");
        return 0;
    }
}

internal sealed record RuntimeResult(
    double CallsPerSecond,
    double OneWayPerSecond,
    double Seconds,
    double WarmupSeconds,
    int Gen0Collections,
    double AllocatedBytesPerCall,
    double AllocatedBytesPerOneWay,
    CallFigures Calls,
    OneWayFigures OneWay);

internal sealed record CallFigures(int Callers, long Completed, double ElapsedSeconds, double CpuUtilization, double PerCpuSecond, int Gen0Collections, int Gen1Collections, int Gen2Collections);

internal sealed record OneWayFigures(int Senders, int Sinks, long Processed, double ElapsedSeconds, double CpuUtilization, double PerCpuSecond, int Gen0Collections, int Gen1Collections, int Gen2Collections);
