using Microsoft.Extensions.Logging;

namespace Engine.Grains.Hosting;

/// <summary>
/// The servers listening to a grain (grain observers, one per server with connections of the grain's person), made
/// with the first subscription so that a grain nobody watches keeps one empty field. A subscription lapses after
/// <see cref="Lifetime"/> unless made again.
/// </summary>
public sealed class Listeners<TObserver> where TObserver : class, IGrainObserver
{
    /// <summary>Servers renew every 15 s: a minute lets three renewals fail before a live server drops out.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly Orleans.Utilities.ObserverManager<TObserver> _observers;

    private Listeners(ILogger logger, TimeProvider time) => _observers = new(Lifetime, logger) { GetDateTime = () => time.GetUtcNow().UtcDateTime };

    /// <summary>Adds (or renews) <paramref name="observer"/>, making the listeners on first use.</summary>
    public static void Subscribe(ref Listeners<TObserver>? listeners, TObserver observer, Func<ILogger> logger, TimeProvider time)
        => (listeners ??= new Listeners<TObserver>(logger(), time))._observers.Subscribe(observer, observer);

    public void Unsubscribe(TObserver observer) => _observers.Unsubscribe(observer);

    /// <summary>Whether a server still listens (lapsed subscriptions dropped first: a server that died stops renewing).</summary>
    public bool Any()
    {
        _observers.ClearExpired();
        return _observers.Count > 0;
    }

    /// <summary>Tells every listener, one-way.</summary>
    public void Tell(Action<TObserver> tell)
    {
        if (_observers.Count > 0) _observers.Notify(tell);
    }
}
