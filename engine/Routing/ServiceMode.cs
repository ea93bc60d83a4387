namespace Engine.Routing;

/// <summary>The service mode of a skill group (SG-1), fixed at creation.</summary>
[GenerateSerializer]
public enum ServiceMode
{
    /// <summary>在线客服: web and WeChat chat; several at once up to the reception cap.</summary>
    Online,

    /// <summary>电话客服: calls, one at a time.</summary>
    Phone,

    /// <summary>全媒体客服: audio/video from a mini program, one at a time.</summary>
    Omni,
}

public static class ServiceModes
{
    /// <summary>Phone and omni-media conversations take the agent's whole attention: nothing else runs beside them.</summary>
    public static bool IsExclusive(this ServiceMode mode) => mode != ServiceMode.Online;

    /// <summary>SG-3: online caps are configurable (at least 1); phone and omni-media are fixed at 1.</summary>
    public static int EffectiveCap(this ServiceMode mode, int requested) => mode.IsExclusive() ? 1 : requested;
}
