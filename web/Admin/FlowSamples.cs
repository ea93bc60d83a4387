using Engine.Flows;

namespace Engine.Web.Admin;

/// <summary>The sample flows of <c>docs/flows</c>, embedded in the server; their transfers name skill groups as <c>group:NAME</c>.</summary>
public static class FlowSamples
{
    public const string Online = "online-sample.json";
    public const string Ivr = "ivr-sample.json";

    /// <summary>The sample with each <c>group:NAME</c> replaced by the id <paramref name="groupIds"/> gives the name.</summary>
    public static FlowDocument Load(string sample, IReadOnlyDictionary<string, string> groupIds)
    {
        using var stream = typeof(FlowSamples).Assembly.GetManifestResourceStream("flows/" + sample)
            ?? throw new InvalidOperationException($"The sample flow {sample} is not embedded in the server.");
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd();
        foreach (var (name, id) in groupIds) json = json.Replace($"\"group:{name}\"", System.Text.Json.JsonSerializer.Serialize(id), StringComparison.Ordinal);
        return FlowJson.ReadDocument(json);
    }
}
