namespace Engine.Grains.Runtime;

/// <summary>Identity of a virtual actor: grain type, owning tenant and key. One activation per id.</summary>
public readonly record struct GrainId(string Type, string Tenant, string Key)
{
    public override string ToString() => $"{Type}/{Tenant}/{Key}";
}
