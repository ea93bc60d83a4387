namespace Engine.Web.RealTime;

/// <summary>
/// This server's ear for the people (agents, visitors) whose connections are here: one grain observer for the server,
/// subscribed at the grain of everyone with a connection on this server and renewed every <see cref="RenewEvery"/>
/// (well within the grains' observer lifetime, and soon after a grain lost its subscriptions with its activation), so
/// that what their grain pushes reaches the connections wherever the grain lives, in a cluster too, with no backplane.
/// A person's subscribe and unsubscribe calls run one after another, and every connection waits for the subscription.
/// When a silo dies, everyone is subscribed again at once, so that their grains, activated elsewhere, listen again.
/// </summary>
public abstract class ObserverRelay<TObserver> : IDisposable where TObserver : class, IGrainObserver
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(15);

    /// <summary>A person's connections here, and the last subscribe or unsubscribe call made for them.</summary>
    private sealed class Person
    {
        public int Connections;
        public Task Pending = Task.CompletedTask;
    }

    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly Dictionary<(string Tenant, string Key), Person> _people = [];
    private readonly Lock _gate = new();
    private readonly ITimer _renew;
    private readonly ITimer _renewAgain;
    private readonly CancellationTokenSource _stop = new();
    private TObserver? _self;
    private int _renewing;

    /// <summary>After a silo died, the renewal runs at once and once more this much later (its grains may still have been moving).</summary>
    public static readonly TimeSpan AfterSiloDeath = TimeSpan.FromSeconds(3);

    protected ObserverRelay(IGrainFactory grains, TimeProvider time, ILogger logger, IClusterMembershipService? membership)
    {
        (_grains, _logger) = (grains, logger);
        _renew = time.CreateTimer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
        _renewAgain = time.CreateTimer(_ => _ = RenewAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (membership is not null) _ = WatchSilosAsync(membership, _stop.Token);
    }

    /// <summary>
    /// The grains of a silo that died come back on the others without their listeners: as soon as the cluster declares a
    /// silo dead, this server subscribes again everyone it holds connections of, rather than at the next renewal.
    /// </summary>
    private async Task WatchSilosAsync(IClusterMembershipService membership, CancellationToken stop)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stop))
            {
                var died = false;
                foreach (var (silo, member) in snapshot.Members)
                {
                    if (member.Status == SiloStatus.Dead && dead.Add(silo)) died = true;
                }
                if (!died) continue;
                _ = RenewAsync();
                _renewAgain.Change(AfterSiloDeath, Timeout.InfiniteTimeSpan);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The server is stopping.
        }
        catch (Exception e)
        {
            // Membership updates ended with the silo; the periodic renewal still runs.
            RelayLog.MembershipWatchEnded(_logger, e);
        }
    }

    protected IGrainFactory Grains => _grains;

    protected ILogger Logger => _logger;

    private TObserver Self
    {
        get
        {
            lock (_gate) return _self ??= _grains.CreateObjectReference<TObserver>((TObserver)(object)this);
        }
    }

    protected abstract ValueTask SubscribeAsync(string tenant, string key, TObserver observer);

    protected abstract ValueTask UnsubscribeAsync(string tenant, string key, TObserver observer);

    /// <summary>A connection arrived here: the first one of its person subscribes this server at their grain; each waits for that.</summary>
    public async Task ConnectedAsync(string tenant, string key)
    {
        var self = Self;
        Task subscribed;
        lock (_gate)
        {
            if (!_people.TryGetValue((tenant, key), out var person)) _people[(tenant, key)] = person = new Person();
            if (++person.Connections == 1) person.Pending = After(person.Pending, () => SubscribeAsync(tenant, key, self));
            subscribed = person.Pending;
        }
        try
        {
            await subscribed;
        }
        catch (Exception)
        {
            // The connection is refused (SignalR does not call OnDisconnected then): it counts no more.
            await DisconnectedAsync(tenant, key);
            throw;
        }
    }

    /// <summary>A connection left: with the last one of its person, this server stops listening for them.</summary>
    public async Task DisconnectedAsync(string tenant, string key)
    {
        var self = Self;
        Task unsubscribed;
        lock (_gate)
        {
            if (!_people.TryGetValue((tenant, key), out var person) || person.Connections == 0) return;
            if (--person.Connections > 0) return;
            unsubscribed = person.Pending = After(person.Pending, () => UnsubscribeAsync(tenant, key, self));
        }
        try
        {
            await unsubscribed;
        }
        finally
        {
            lock (_gate)
            {
                if (_people.TryGetValue((tenant, key), out var person) && person.Connections == 0 && person.Pending == unsubscribed) _people.Remove((tenant, key));
            }
        }
    }

    /// <summary>The call after the one before it, whether that one failed or not.</summary>
    private static async Task After(Task before, Func<ValueTask> next)
    {
        // The earlier call's own caller saw its failure, if any; this one goes on regardless.
        await before.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        await next();
    }

    /// <summary>
    /// Sends without waiting for it: the observer takes one push at a time, so a connection slow to read must not hold
    /// up the pushes of everyone else on this server.
    /// </summary>
    protected void Send(Task sending, string tenant, string key)
    {
        if (sending.IsCompletedSuccessfully) return;
        _ = sending.ContinueWith(t => RelayLog.PushFailed(_logger, tenant, key, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private async Task RenewAsync()
    {
        if (Interlocked.Exchange(ref _renewing, 1) == 1) return;
        try
        {
            List<(string Tenant, string Key)> connected;
            lock (_gate) connected = [.. _people.Where(p => p.Value.Connections > 0).Select(p => p.Key)];
            var self = Self;
            await Parallel.ForEachAsync(connected, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (person, _) =>
            {
                try
                {
                    await SubscribeAsync(person.Tenant, person.Key, self);
                }
                catch (Exception e)
                {
                    // The grain's silo is going or gone, or the store is away: the next renewal tries again.
                    RelayLog.RenewFailed(_logger, person.Tenant, person.Key, e);
                }
            });
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _renew.Dispose();
        _renewAgain.Dispose();
        if (_self is not null) _grains.DeleteObjectReference<TObserver>(_self);
        GC.SuppressFinalize(this);
    }
}

internal static partial class RelayLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Could not renew the subscription of {Key} of tenant {Tenant}")]
    public static partial void RenewFailed(ILogger logger, string tenant, string key, Exception error);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "A push to the connections of {Key} of tenant {Tenant} failed")]
    public static partial void PushFailed(ILogger logger, string tenant, string key, Exception error);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "The relay stopped watching the cluster's membership; subscriptions are renewed on their schedule only")]
    public static partial void MembershipWatchEnded(ILogger logger, Exception error);
}
