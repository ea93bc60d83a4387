using System.Collections.Concurrent;

namespace Engine.Web.RealTime;

/// <summary>
/// This server's ear for the people (agents, visitors) whose connections are here: one grain observer for the server,
/// subscribed at the grain of everyone with a connection on this server (and renewed before it lapses, see
/// <c>AgentGrain.ObserverLifetime</c>), so that what their grain pushes reaches the connections wherever the grain
/// lives, in a cluster too, with no backplane.
/// </summary>
public abstract class ObserverRelay<TObserver> : IDisposable where TObserver : class, IGrainObserver
{
    /// <summary>How often the subscriptions are made again (well within the grains' observer lifetime).</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Tenant, string Key), int> _connections = new();
    private readonly Lock _gate = new();
    private readonly ITimer _renew;
    private TObserver? _self;

    protected ObserverRelay(IGrainFactory grains, TimeProvider time, ILogger logger)
    {
        (_grains, _logger) = (grains, logger);
        _renew = time.CreateTimer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
    }

    protected IGrainFactory Grains => _grains;

    private TObserver Self
    {
        get
        {
            lock (_gate) return _self ??= _grains.CreateObjectReference<TObserver>((TObserver)(object)this);
        }
    }

    protected abstract ValueTask SubscribeAsync(string tenant, string key, TObserver observer);

    protected abstract ValueTask UnsubscribeAsync(string tenant, string key, TObserver observer);

    /// <summary>A connection arrived here: the first one of its person subscribes this server at their grain.</summary>
    public async Task ConnectedAsync(string tenant, string key)
    {
        if (_connections.AddOrUpdate((tenant, key), 1, (_, n) => n + 1) == 1) await SubscribeAsync(tenant, key, Self);
    }

    /// <summary>A connection left: with the last one of its person, this server stops listening for them.</summary>
    public async Task DisconnectedAsync(string tenant, string key)
    {
        var entry = (tenant, key);
        var left = _connections.AddOrUpdate(entry, 0, (_, n) => n - 1);
        if (left > 0 || !_connections.TryRemove(KeyValuePair.Create(entry, 0))) return;
        await UnsubscribeAsync(tenant, key, Self);
    }

    private async Task RenewAsync()
    {
        foreach (var (tenant, key) in _connections.Keys)
        {
            try
            {
                await SubscribeAsync(tenant, key, Self);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The grain's silo is going or gone: the next renewal subscribes at its new activation.
                RelayLog.RenewFailed(_logger, tenant, key, e);
            }
        }
    }

    public void Dispose()
    {
        _renew.Dispose();
        if (_self is not null) _grains.DeleteObjectReference<TObserver>(_self);
        GC.SuppressFinalize(this);
    }
}

internal static partial class RelayLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Could not renew the subscription of {Key} of tenant {Tenant}")]
    public static partial void RenewFailed(ILogger logger, string tenant, string key, Exception error);
}
