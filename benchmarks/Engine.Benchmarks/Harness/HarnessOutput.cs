using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Engine.Benchmarks.Harness;

/// <summary>
/// Shows a command's result as an aligned table on stdout and, when asked, writes it as JSON: the
/// result's properties in camelCase at the top level, next to <c>command</c> and <c>machine</c>.
/// Nested objects and lists print as dotted rows (<c>latency.p99Ms</c>, <c>scenarios[0].name</c>).
/// </summary>
internal static class HarnessOutput
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync<TResult>(string command, TResult result, string? jsonPath, CancellationToken cancellationToken)
    {
        var document = new JsonObject
        {
            ["command"] = command,
            ["machine"] = JsonSerializer.SerializeToNode(MachineInfo.Current(), Json),
        };
        if (JsonSerializer.SerializeToNode(result, Json) is not JsonObject body)
            throw new InvalidOperationException($"the result of '{command}' must serialize to a JSON object");
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            document[name] = value;
        }

        Console.Out.Write(Render(document));
        if (jsonPath is null) return;
        var full = Path.GetFullPath(jsonPath);
        var folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(full, document.ToJsonString(Json) + Environment.NewLine, cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine($"JSON written to {full}");
    }

    /// <summary>The table text: a header with the machine, then one aligned row per value.</summary>
    public static string Render(JsonObject document)
    {
        var rows = new List<(string Name, string Value)>();
        foreach (var (name, value) in document)
        {
            if (name is "command" or "machine") continue;
            Flatten(name, value, rows);
        }
        var machineRows = new List<(string Name, string Value)>();
        if (document["machine"] is JsonNode machine) Flatten("machine", machine, machineRows);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"== {document["command"]?.GetValue<string>() ?? "result"} ==").AppendLine();
        AppendRows(text, machineRows);
        text.AppendLine();
        AppendRows(text, rows);
        return text.ToString();
    }

    private static void AppendRows(StringBuilder text, List<(string Name, string Value)> rows)
    {
        if (rows.Count == 0) return;
        var nameWidth = rows.Max(r => r.Name.Length);
        var numeric = rows.Where(r => IsNumeric(r.Value)).Select(r => r.Value.Length).DefaultIfEmpty(0).Max();
        foreach (var (name, value) in rows)
        {
            text.Append("  ").Append(name.PadRight(nameWidth)).Append("  ");
            text.Append(IsNumeric(value) ? value.PadLeft(numeric) : value).AppendLine();
        }
    }

    private static bool IsNumeric(string value) => value.Length > 0 && (char.IsDigit(value[0]) || value[0] == '-') && value.Any(char.IsDigit);

    private static void Flatten(string path, JsonNode? node, List<(string Name, string Value)> rows)
    {
        switch (node)
        {
            case null:
                rows.Add((path, "-"));
                break;
            case JsonObject obj:
                foreach (var (name, value) in obj) Flatten($"{path}.{name}", value, rows);
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) Flatten($"{path}[{i}]", array[i], rows);
                break;
            case JsonValue value:
                rows.Add((path, Format(value)));
                break;
        }
    }

    private static string Format(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                var number = value.GetValue<double>();
                if (number == Math.Floor(number) && Math.Abs(number) < 1e15) return number.ToString("N0", CultureInfo.InvariantCulture);
                if (Math.Abs(number) >= 1000) return number.ToString("N0", CultureInfo.InvariantCulture);
                return number.ToString("0.###", CultureInfo.InvariantCulture);
            case JsonValueKind.String:
                return value.GetValue<string>();
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            default:
                return value.ToJsonString();
        }
    }
}
