using System.Text.Json;
using System.Text.Json.Serialization;
using Engine.Routing;

namespace Engine.Flows;

/// <summary>A flow as a file or a request holds it: its name, its mode and its modules (the samples under <c>docs/flows</c>).</summary>
public sealed record FlowDocument(string Name, ServiceMode Mode, IReadOnlyList<FlowModule> Modules)
{
    public FlowDefinition Definition => new(Modules);
}

/// <summary>How flows are written as JSON: camelCase, modes and enums as camelCase strings, each module's <c>type</c> anywhere in it.</summary>
public static class FlowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowOutOfOrderMetadataProperties = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static FlowDocument ReadDocument(string json)
        => JsonSerializer.Deserialize<FlowDocument>(json, Options) ?? throw new JsonException("A flow document is an object.");

    public static string Write(FlowDefinition definition) => JsonSerializer.Serialize(definition, Options);

    public static FlowDefinition ReadDefinition(string json)
        => JsonSerializer.Deserialize<FlowDefinition>(json, Options) ?? throw new JsonException("A flow definition is an object.");
}
