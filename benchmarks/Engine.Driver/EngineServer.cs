using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Engine.Driver;

/// <summary>
/// The real server (<c>web/bin/CONFIGURATION/net10.0/Engine.Web.dll</c>) as a child process on a free
/// local port, with the settings given as environment variables. Its output goes to a log file.
/// </summary>
public sealed class EngineServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private EngineServer(Process process, Uri address, StreamWriter log)
    {
        _process = process;
        Address = address;
        _log = log;
    }

    private static readonly string KeyEncryptionKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the server and returns once <c>/healthz</c> answers; throws with the log's tail if it does not within <paramref name="timeout"/>.</summary>
    public static async Task<EngineServer> StartAsync(IReadOnlyDictionary<string, string> settings, string logPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerAssembly());
        start.WorkingDirectory = Path.GetDirectoryName(logPath)!;
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // A silo port of its own, so that several servers (a cluster, parallel tests) share the machine.
        start.Environment["Engine__Orleans__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        // One key-encryption key for every server this process starts: a cluster's servers share their key ring, and a
        // restarted one reads it again.
        start.Environment["Engine__DataProtection__KeyEncryptionKey"] = KeyEncryptionKey;
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new EngineServer(process, address, log);
        try
        {
            await server.WaitHealthyAsync(timeout, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch (Exception)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with code {_process.ExitCode} while starting; see {((FileStream)_log.BaseStream).Name}.");
            try
            {
                using var response = await http.GetAsync("healthz", cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe took over its 5 s (a busy machine, a silo still joining): ask again until the deadline.
            }
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"The server did not become healthy within {timeout.TotalSeconds:0} s; see {((FileStream)_log.BaseStream).Name}.");
    }

    /// <summary>The server's assembly, built in the same configuration as this one (the solution builds both).</summary>
    public static string ServerAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
        var path = RepositoryFile(Path.Combine("web", "bin", configuration, "net10.0", "Engine.Web.dll"));
        return File.Exists(path) ? path : throw new FileNotFoundException($"The server is not built: {path} is missing (dotnet build -c {configuration}).");
    }

    /// <summary>A file of the checkout this driver was built in (found above it by <c>Engine.sln</c>), such as a sample flow under <c>docs/</c>.</summary>
    public static string RepositoryFile(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) return Path.Combine(dir.FullName, relativePath);
        }
        throw new DirectoryNotFoundException("Engine.sln was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A free local TCP port, asked of the kernel.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
