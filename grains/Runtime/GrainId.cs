namespace Engine.Grains.Runtime;

/// <summary>Identity of a virtual actor: grain type, owning tenant and key. One activation per id.</summary>
public readonly record struct GrainId(string Type, string Tenant, string Key)
{
    /// <summary>Separates a grain's key from the name of a further state it keeps (<c>g1#queue</c>).</summary>
    public const char SubstateSeparator = '#';

    public override string ToString() => $"{Type}/{Tenant}/{Key}";
}
