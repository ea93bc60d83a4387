using System.Diagnostics;

namespace Engine.Web.Infrastructure;

/// <summary>One log line per request (method, path, status, time): what Serilog's request logging would write.</summary>
public static partial class RequestLogging
{
    public static WebApplication UseEngineRequestLogging(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Engine.Web.Requests");
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                LogRequest(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        return app;
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "HTTP {Method} {Path} responded {Status} in {Elapsed:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double elapsed);
}
