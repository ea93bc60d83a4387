namespace Engine.Marketing;

/// <summary>Where the robot is answering: outside reception hours (no human until they begin), or beside the queue in hours.</summary>
public enum RobotSituation
{
    OffHours,
    Queued,
}

/// <summary>
/// MK-4: what the robot says. It is honest about confidence: an answer it is not sure enough of is not given; it says it
/// does not know, and offers a human when staff are in hours (a queued visitor is on their way to one).
/// </summary>
public static class RobotReplies
{
    /// <summary>The confidence under which the robot does not answer (measured on the project's FAQ test set; see README).</summary>
    public const double Threshold = 0.35;

    public const string NotSureOffHours = "抱歉，这个问题我还不会回答。人工客服的接待时间开始后，会有客服为您服务。";

    public const string NotSureQueued = "抱歉，这个问题我还不会回答，已为您转接人工客服，请稍候。";

    public static string Reply(string? answer, double confidence, RobotSituation situation)
    {
        if (answer is not null && confidence >= Threshold) return answer;
        return situation == RobotSituation.Queued ? NotSureQueued : NotSureOffHours;
    }
}
