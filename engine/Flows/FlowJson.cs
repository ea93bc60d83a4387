using System.Text.Json;
using System.Text.Json.Serialization;
using Engine.Routing;

namespace Engine.Flows;

/// <summary>A flow as a file or a request holds it: its name, its mode and its modules (the samples under <c>docs/flows</c>).</summary>
public sealed record FlowDocument(string Name, ServiceMode Mode, IReadOnlyList<FlowModule> Modules)
{
    [JsonIgnore]
    public FlowDefinition Definition => new(Modules);
}

/// <summary>How flows are written as JSON: camelCase, modes and enums as camelCase strings (modules by <see cref="FlowModuleConverter"/>).</summary>
public static class FlowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static FlowDocument ReadDocument(string json)
        => JsonSerializer.Deserialize<FlowDocument>(json, Options) ?? throw new JsonException("A flow document is an object.");

    public static string Write(FlowDefinition definition) => JsonSerializer.Serialize(definition, Options);

    public static FlowDefinition ReadDefinition(string json)
        => JsonSerializer.Deserialize<FlowDefinition>(json, Options) ?? throw new JsonException("A flow definition is an object.");
}

/// <summary>
/// A module as JSON: its fields and a <c>type</c> (start, message, branch, transfer, end) anywhere among them. A module
/// without a type, or of a type this model does not know, is a <see cref="JsonException"/> naming it, so that a
/// request gets a 400 that says which module.
/// </summary>
public sealed class FlowModuleConverter : JsonConverter<FlowModule>
{
    private static readonly Dictionary<string, Type> Types = new(StringComparer.Ordinal)
    {
        ["start"] = typeof(StartModule),
        ["message"] = typeof(MessageModule),
        ["branch"] = typeof(BranchModule),
        ["transfer"] = typeof(TransferModule),
        ["end"] = typeof(EndModule),
    };

    private static readonly Dictionary<Type, string> Names = Types.ToDictionary(t => t.Value, t => t.Key);

    public override FlowModule Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("A flow module is an object.");
        if (!document.RootElement.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || !Types.TryGetValue(type.GetString()!, out var concrete))
            throw new JsonException("A flow module has no type discriminator, or one this model does not know.");
        var fields = new System.Text.Json.Nodes.JsonObject();
        foreach (var property in document.RootElement.EnumerateObject())
            if (property.Name != "type") fields[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
        var module = (FlowModule)(fields.Deserialize(concrete, options) ?? throw new JsonException("A flow module is an object."));
        // Required fields, and no holes in the lists, as a 400 naming the module rather than a failure later.
        if (string.IsNullOrEmpty(module.Id)) throw new JsonException("A flow module needs its id.");
        if (module.Label is null) throw new JsonException("A flow module needs its label.");
        if (module is BranchModule branch && (branch.Options is null || branch.Options.Any(o => o is null || o.Keywords is null || o.Keywords.Any(k => k is null) || o.Name is null)))
            throw new JsonException("A branch needs its options, each with a name and a list of keywords.");
        return module;
    }

    public override void Write(Utf8JsonWriter writer, FlowModule value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Names[value.GetType()]);
        foreach (var property in JsonSerializer.SerializeToElement(value, value.GetType(), options).EnumerateObject()) property.WriteTo(writer);
        writer.WriteEndObject();
    }
}

/// <summary>How the APIs name where a conversation stands and why a flow ended it.</summary>
public static class FlowNames
{
    /// <summary><c>inFlow</c>, <c>queued</c>, <c>connected</c> or <c>ended</c>.</summary>
    public static string Status(FlowPhase phase) => phase switch
    {
        FlowPhase.Queued => "queued",
        FlowPhase.Connected => "connected",
        FlowPhase.Ended => "ended",
        FlowPhase.WithRobot => "withRobot",
        _ => "inFlow",
    };

    /// <summary><c>finished</c>, <c>noAgentOnline</c>, <c>tooManyInvalidInputs</c> or <c>customerReplyTimeout</c>.</summary>
    public static string? EndReason(FlowEndReason? reason) => reason is { } r ? JsonNamingPolicy.CamelCase.ConvertName(r.ToString()) : null;
}
