using System.Globalization;

namespace Engine.Benchmarks.Harness;

/// <summary>A harness command: <c>dotnet run -c Release --project benchmarks/Engine.Benchmarks -- NAME [options]</c>.</summary>
internal interface IHarnessCommand
{
    string Summary { get; }

    IReadOnlyList<HarnessOption> Options { get; }

    Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken);
}

internal enum OptionKind
{
    Integer,
    Number,
    Text,
    Flag,
}

/// <summary>
/// One <c>--name value</c> option a command accepts. Numbers must be positive unless <see cref="AllowZero"/>. A
/// <see cref="Repeatable"/> text option may be given several times; its value is then the values joined by commas.
/// </summary>
internal sealed record HarnessOption(string Name, OptionKind Kind, string Help, string? Default = null, bool AllowZero = false, string? Placeholder = null, bool Repeatable = false)
{
    /// <summary>How the usage text shows the option, e.g. <c>--seconds N</c>.</summary>
    public string Usage => Kind switch
    {
        OptionKind.Flag => $"--{Name}",
        OptionKind.Integer or OptionKind.Number => $"--{Name} {Placeholder ?? "N"}",
        _ => $"--{Name} {Placeholder ?? "TEXT"}",
    };

    public static HarnessOption Seconds(double defaultSeconds) =>
        new("seconds", OptionKind.Number, "measured duration in seconds", defaultSeconds.ToString(CultureInfo.InvariantCulture));

    public static HarnessOption Json { get; } = new("json", OptionKind.Text, "also write the results to this JSON file", Placeholder: "FILE");
}

/// <summary>A command line that was wrong: the message is shown with the usage, and the process exits with code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Options after validation; values that were not given fall back to their declared default.</summary>
internal sealed class ParsedOptions
{
    private readonly Dictionary<string, string> _values;
    private readonly Dictionary<string, HarnessOption> _declared;

    private ParsedOptions(Dictionary<string, string> values, Dictionary<string, HarnessOption> declared)
    {
        _values = values;
        _declared = declared;
    }

    public bool HelpRequested { get; private init; }

    public static ParsedOptions Parse(IReadOnlyList<string> args, IReadOnlyList<HarnessOption> options)
    {
        var declared = options.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "-?") return new ParsedOptions(values, declared) { HelpRequested = true };
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'");
            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (!declared.TryGetValue(name, out var option))
                throw new UsageException($"unknown option '--{name}'");
            if (values.ContainsKey(name) && !option.Repeatable) throw new UsageException($"option '--{name}' is given twice");
            if (option.Kind == OptionKind.Flag)
            {
                if (value is not null) throw new UsageException($"option '--{name}' takes no value");
                values[name] = "true";
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"option '--{name}' needs a value");
                value = args[++i];
            }
            Validate(option, value);
            values[name] = values.TryGetValue(name, out var earlier) ? $"{earlier},{value}" : value;
        }
        return new ParsedOptions(values, declared);
    }

    public int GetInt(string name) => int.Parse(Raw(name), NumberStyles.Integer, CultureInfo.InvariantCulture);

    public double GetDouble(string name) => double.Parse(Raw(name), NumberStyles.Float, CultureInfo.InvariantCulture);

    public TimeSpan GetSeconds(string name) => TimeSpan.FromSeconds(GetDouble(name));

    public string? GetText(string name) => Value(name);

    public bool GetFlag(string name) => Value(name) is not null;

    private string Raw(string name) =>
        Value(name) ?? throw new InvalidOperationException($"option '--{name}' has no value and no default");

    private string? Value(string name)
    {
        if (!_declared.TryGetValue(name, out var option))
            throw new InvalidOperationException($"option '--{name}' is not declared by this command");
        return _values.TryGetValue(name, out var value) ? value : option.Default;
    }

    private static void Validate(HarnessOption option, string value)
    {
        switch (option.Kind)
        {
            case OptionKind.Integer:
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
                    throw new UsageException($"option '--{option.Name}' needs a whole number, not '{value}'");
                if (integer < 0 || (integer == 0 && !option.AllowZero))
                    throw new UsageException($"option '--{option.Name}' must be {(option.AllowZero ? "zero or more" : "positive")}, not {integer}");
                break;
            case OptionKind.Number:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                    throw new UsageException($"option '--{option.Name}' needs a number, not '{value}'");
                if (number < 0 || (number == 0 && !option.AllowZero))
                    throw new UsageException($"option '--{option.Name}' must be {(option.AllowZero ? "zero or more" : "positive")}, not {value}");
                break;
            case OptionKind.Text:
                if (value.Length == 0) throw new UsageException($"option '--{option.Name}' needs a non-empty value");
                break;
            case OptionKind.Flag:
                break;
            default:
                throw new InvalidOperationException($"unknown option kind {option.Kind}");
        }
    }
}
