using Microsoft.Extensions.Logging;

namespace Engine.Grains.Runtime;

internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Activation of {Grain} failed")]
    public static partial void ActivationFailed(ILogger logger, Exception error, GrainId grain);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Deactivation of {Grain} failed")]
    public static partial void DeactivationFailed(ILogger logger, Exception error, GrainId grain);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "One-way message, timer or reminder turn of {Grain} failed")]
    public static partial void OneWayFailed(ILogger logger, Exception error, GrainId grain);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Call from {Caller} to {Grain} timed out after {Timeout}")]
    public static partial void CallTimedOut(ILogger logger, string caller, GrainId grain, TimeSpan timeout);
}
