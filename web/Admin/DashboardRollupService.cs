using System.Data.Common;
using Engine.Persistence.Dashboard;

namespace Engine.Web.Admin;

/// <summary>
/// Rolls completed conversations and visits up into the dashboard's tables every <see cref="Interval"/> (the dashboard
/// lags the records by about that much), and DB-4's silences as they reach 6 h. A store that fails is tried again at
/// the next tick; what was not rolled up waits, marked, for it.
/// </summary>
public sealed partial class DashboardRollupService(DashboardRollups rollups, TimeProvider time, ILogger<DashboardRollupService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
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
