using System.Data.Common;
using Engine.Persistence.Dashboard;

namespace Engine.Web.Admin;

/// <summary>
/// Rolls completed conversations and visits up into the dashboard's tables <see cref="Interval"/> after the last roll-up
/// ended (the dashboard lags the records by about that much), and DB-4's silences as they reach 6 h. A store that fails
/// is tried again at the next turn; what was not rolled up waits, marked, for it. Not a periodic timer: a clock that jumps
/// (a test's fake one, a host woken from sleep) brings one roll-up, not one per interval skipped.
/// </summary>
public sealed partial class DashboardRollupService(DashboardRollups rollups, TimeProvider time, ILogger<DashboardRollupService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A one-shot timer armed again once each roll-up ends: it fires once however far the clock jumped. The semaphore
        // is left undisposed (it has no wait handle to free), so that a tick racing the shutdown finds it usable.
        var due = new SemaphoreSlim(0, 1);
        using var timer = time.CreateTimer(static state => ((SemaphoreSlim)state!).Release(), due, Interval, Timeout.InfiniteTimeSpan);
        while (true)
        {
            await due.WaitAsync(stoppingToken);
            try
            {
                await rollups.RollUpAllAsync(stoppingToken);
            }
            catch (DbException e)
            {
                LogRollUpFailed(logger, e);
            }
            timer.Change(Interval, Timeout.InfiniteTimeSpan);
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "The dashboard's roll-up failed; it is tried again at the next tick")]
    private static partial void LogRollUpFailed(ILogger logger, Exception error);
}
