using Engine.Benchmarks.Actors;
using Engine.Benchmarks.Harness;
using Engine.Benchmarks.Suites;
using BenchmarkDotNet.Running;

namespace Engine.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Engine.Benchmarks -- COMMAND [options]</c> runs a harness
/// command; anything else (no arguments, <c>bdn ...</c>, BenchmarkDotNet options) goes to BenchmarkDotNet.
/// </summary>
internal static class Program
{
    /// <summary>The harness commands: one line and one class each.</summary>
    private static readonly Dictionary<string, IHarnessCommand> Commands = new(StringComparer.Ordinal)
    {
        ["runtime"] = new RuntimeCommand(),
        ["load"] = new Load.LoadCommand(),
        ["durability"] = new Storage.DurabilityCommand(),
        ["crash"] = new Crash.CrashCommand(),
        ["cluster"] = new Cluster.ClusterCommand(),
        ["unknown-ids"] = new Probe.UnknownIdsCommand(),
        ["e2e"] = new EndToEnd.EndToEndCommand(),
        ["robot"] = new Robot.RobotCommand(),
        ["history"] = new History.HistoryCommand(),
        ["dashboard"] = new History.DashboardCommand(),
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "help" or "-h" or "--help")
        {
            PrintUsage(Console.Out);
            return 0;
        }
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            var forwarded = args.Length > 0 && args[0] == "bdn" ? args[1..] : args;
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(forwarded, new BenchConfig());
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        }

        ParsedOptions options;
        try
        {
            options = ParsedOptions.Parse(args[1..], command.Options);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            PrintCommandUsage(Console.Error, args[0], command);
            return 2;
        }
        if (options.HelpRequested)
        {
            PrintCommandUsage(Console.Out, args[0], command);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Ctrl+C stops the run cleanly (the figures so far are dropped) instead of killing the process.
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await command.RunAsync(options, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{args[0]}: cancelled");
            return 130;
        }
        catch (UsageException e)
        {
            // Found wrong once the command looked (a store it cannot use, a variable not set): said as a wrong option is.
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return 2;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("usage: dotnet run -c Release --project benchmarks/Engine.Benchmarks -- COMMAND [options]");
        output.WriteLine();
        output.WriteLine("commands:");
        var width = Commands.Keys.Max(k => k.Length);
        foreach (var (name, command) in Commands) output.WriteLine($"  {name.PadRight(width)}  {command.Summary}");
        output.WriteLine();
        output.WriteLine("anything else goes to BenchmarkDotNet, e.g. `-- --filter *RuntimeBenchmarks*` or `-- bdn --list flat`.");
        output.WriteLine("`-- COMMAND --help` lists a command's options.");
    }

    private static void PrintCommandUsage(TextWriter output, string name, IHarnessCommand command)
    {
        output.WriteLine($"usage: {name} [options]   ({command.Summary})");
        var width = command.Options.Max(o => o.Usage.Length);
        foreach (var option in command.Options)
        {
            var fallback = option.Default is null ? "" : $" (default {option.Default})";
            output.WriteLine($"  {option.Usage.PadRight(width)}  {option.Help}{fallback}");
        }
    }
}
