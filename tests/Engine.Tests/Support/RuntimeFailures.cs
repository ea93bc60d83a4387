using System.Collections.Concurrent;
using Engine.Grains.Runtime;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Support;

/// <summary>
/// The runtime's logger, kept: a one-way message, timer or reminder turn that throws is only logged by the
/// runtime (nobody awaits it), so a property must look here to see it. Warnings (call timeouts) count too.
/// </summary>
public sealed class RuntimeFailures : ILogger<GrainRuntime>
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var error = exception is null ? "" : $": {exception.GetType().Name}: {exception.Message}";
        _entries.Enqueue($"{logLevel} {formatter(state, exception)}{error}");
    }
}
