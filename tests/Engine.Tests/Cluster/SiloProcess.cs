using System.Diagnostics;
using System.Text;

namespace Engine.Tests.Cluster;

/// <summary>
/// A silo in a process of its own, so that a test can crash it: a process kill leaves the silo's row Active in the
/// table, and only the other silos' probes can find it dead. Stopping a silo inside the test process, even with
/// an already cancelled token, still writes its own row Stopping and Dead on the way out.
/// </summary>
/// <remarks>
/// The process is the test assembly itself (<c>dotnet Engine.Tests.dll silo CONNECTION CLUSTER</c>), whose entry
/// point is <see cref="Main"/>; the silo runs until its standard input closes, so it also ends with a test run
/// that dies before it could kill it.
/// </remarks>
public sealed class SiloProcess : IAsyncDisposable
{
    private const string Verb = "silo";
    private const string Ready = "silo started";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process) => _process = process;

    public static async Task<int> Main(string[] args)
    {
        if (args is not [Verb, var connectionString, var clusterId])
        {
            await Console.Error.WriteLineAsync($"usage: Engine.Tests {Verb} CONNECTION-STRING CLUSTER-ID");
            return 2;
        }
        using var host = TestSilo.Build(connectionString, clusterId);
        await host.StartAsync();
        await Console.Out.WriteLineAsync(Ready);
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
        await host.StopAsync();
        return 0;
    }

    /// <summary>Starts the process and returns once its silo has started (joined the cluster).</summary>
    public static async Task<SiloProcess> StartAsync(string connectionString, string clusterId, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", typeof(SiloProcess).Assembly.Location, Verb, connectionString, clusterId })
        {
            start.ArgumentList.Add(arg);
        }
        var silo = new SiloProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        silo._process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        silo._process.Exited += (_, _) => silo._started.TrySetException(new InvalidOperationException($"The silo process exited before its silo started: {silo.Output}"));
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        try
        {
            await silo._started.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await silo.DisposeAsync();
            throw new TimeoutException($"The silo process did not start its silo within {timeout.TotalSeconds} s: {silo.Output}");
        }
        return silo;
    }

    /// <summary>What the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Kills the process at once, as a crash or an out-of-memory kill would end it.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (line == Ready) _started.TrySetResult();
    }

    /// <summary>The <c>dotnet</c> running this test run, or the one on the path.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }
}
