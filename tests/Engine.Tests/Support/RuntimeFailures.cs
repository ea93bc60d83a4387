using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Support;

/// <summary>
/// The silo's failures, kept: a one-way call or timer turn that throws is only logged (nobody awaits it), so a
/// property must look here to see it. Counts what is logged with an exception at warning or above.
/// </summary>
public sealed class RuntimeFailures : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel) || exception is null) return;
        _entries.Enqueue($"{logLevel} {formatter(state, exception)}: {exception.GetType().Name}: {exception.Message}");
    }

    public void Dispose()
    {
    }
}
