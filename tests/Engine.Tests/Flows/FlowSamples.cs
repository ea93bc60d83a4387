using Engine.Flows;
using Engine.Routing;

namespace Engine.Tests.Flows;

/// <summary>The sample flows of <c>docs/flows</c>, with their <c>group:NAME</c> placeholders bound to test group ids.</summary>
internal static class FlowSamples
{
    public static readonly FlowReferences Groups = new(
        new Dictionary<string, ServiceMode> { ["g-products"] = ServiceMode.Online, ["g-business"] = ServiceMode.Online, ["g-hotline"] = ServiceMode.Phone },
        new Dictionary<string, bool> { ["audio-ok"] = true, ["audio-unreviewed"] = false });

    public static FlowDocument Online => Load("online-sample.json");

    public static FlowDocument Ivr => Load("ivr-sample.json");

    private static FlowDocument Load(string file)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "flows", file))
            .Replace("group:产品咨询", "g-products", StringComparison.Ordinal)
            .Replace("group:商务合作", "g-business", StringComparison.Ordinal)
            .Replace("group:热线", "g-hotline", StringComparison.Ordinal);
        return FlowJson.ReadDocument(json);
    }

    /// <summary>The document with one module replaced.</summary>
    public static FlowDocument With(this FlowDocument document, string id, Func<FlowModule, FlowModule> change)
        => document with { Modules = [.. document.Modules.Select(m => m.Id == id ? change(m) : m)] };

    public static FlowDocument Without(this FlowDocument document, string id)
        => document with { Modules = [.. document.Modules.Where(m => m.Id != id)] };

    public static FlowDocument Plus(this FlowDocument document, FlowModule module)
        => document with { Modules = [.. document.Modules, module] };

    public static IReadOnlyList<FlowProblem> Problems(this FlowDocument document, FlowReferences? references = null)
        => FlowValidator.Validate(document.Mode, document.Definition, references ?? Groups);
}
