using System.Data.Common;
using Engine.Persistence.Dashboard;

namespace Engine.Web.Admin;

/// <summary>
/// Rolls completed conversations and visits up into the dashboard's tables <see cref="Interval"/> after the last roll-up
/// ended (the dashboard lags the records by about that much), and DB-4's silences as they reach 6 h. A store that fails
/// is tried again at the next turn; what was not rolled up waits, marked, for it. A wait rather than a periodic timer:
/// a clock that jumps (a test's fake one, a host woken from sleep) brings one roll-up, not one per interval skipped.
/// </summary>
public sealed partial class DashboardRollupService(DashboardRollups rollups, TimeProvider time, ILogger<DashboardRollupService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, time, stoppingToken);
            try
            {
                await rollups.RollUpAllAsync(stoppingToken);
            }
            catch (DbException e)
            {
                LogRollUpFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "The dashboard's roll-up failed; it is tried again at the next tick")]
    private static partial void LogRollUpFailed(ILogger logger, Exception error);
}
