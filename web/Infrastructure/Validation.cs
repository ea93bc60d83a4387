using System.Globalization;

namespace Engine.Web.Infrastructure;

/// <summary>The request is malformed: each field with why (a 400 listing them).</summary>
public sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The request has invalid fields: " + string.Join(", ", errors.Keys) + ".")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static RequestValidationException For(string field, string reason) => new(new Dictionary<string, string[]> { [field] = [reason] });
}

/// <summary>What the path names does not exist for this caller (also when it belongs to another tenant).</summary>
public sealed class NotFoundException(string what) : Exception($"{what} was not found.");

/// <summary>Collects every field problem of a request, then throws them together.</summary>
public sealed class Checks
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public Checks Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var reasons)) _errors[field] = reasons = [];
        reasons.Add(reason);
        return this;
    }

    /// <summary>Whether a reason was already given for <paramref name="field"/>.</summary>
    public bool Has(string field) => _errors.ContainsKey(field);

    /// <summary>A message's text: required, at most <paramref name="max"/> characters, line breaks and tabs allowed (no other control characters).</summary>
    public string MessageText(string field, string? value, int max)
    {
        var trimmed = value?.Trim() ?? "";
        if (MessageTextProblem(trimmed, max) is { } problem) Add(field, problem);
        return trimmed;
    }

    /// <summary>Why a message's text is refused (null: it is fine): what every way in (REST, hubs, the adapter API) checks the same.</summary>
    public static string? MessageTextProblem(string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return "is required";
        if (Characters(value.Trim()) > max) return $"must be at most {max:N0} characters";
        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))) return "must not contain control characters other than line breaks and tabs";
        return null;
    }

    /// <summary>A required text of at most <paramref name="max"/> characters (SG-2: a full-width character counts as one).</summary>
    public string Text(string field, string? value, int max, bool required = true)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            if (required) Add(field, "is required");
            return trimmed;
        }
        if (Characters(trimmed) > max) Add(field, $"must be at most {max} characters");
        if (trimmed.Any(char.IsControl)) Add(field, "must not contain control characters");
        return trimmed;
    }

    public string? OptionalText(string field, string? value, int max)
    {
        var text = Text(field, value, max, required: false);
        return text.Length == 0 ? null : text;
    }

    public string Email(string field, string? value)
    {
        var email = Text(field, value, 254).ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (email.Length > 0 && (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || !email[(at + 1)..].Contains('.', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
            Add(field, "must be an email address such as name@example.com");
        return email;
    }

    public string? Phone(string field, string? value)
    {
        var phone = OptionalText(field, value, 32);
        if (phone is not null && !phone.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '(' or ')'))
            Add(field, "may contain only digits, spaces and + - ( )");
        return phone;
    }

    public T OneOf<T>(string field, string? value, IReadOnlyDictionary<string, T> choices)
    {
        if (value is not null && choices.TryGetValue(value, out var choice)) return choice;
        Add(field, value is null ? "is required" : $"must be one of: {string.Join(", ", choices.Keys)}");
        return default!;
    }

    public int Range(string field, int? value, int min, int max, int? fallback = null)
    {
        if (value is null && fallback is { } f) return f;
        if (value is null) { Add(field, "is required"); return min; }
        if (value < min || value > max) Add(field, $"must be between {min} and {max}");
        return value.Value;
    }

    /// <summary>A list of ids: each a non-empty id of at most 64 characters, at most <paramref name="max"/> of them, duplicates dropped. Null stays null.</summary>
    public IReadOnlyList<string>? Ids(string field, IReadOnlyList<string?>? ids, int max)
    {
        if (ids is null) return null;
        if (ids.Count > max) { Add(field, $"must name at most {max}"); return []; }
        if (ids.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > 64)) { Add(field, "must hold ids, none empty or longer than 64 characters"); return []; }
        return [.. ids.Distinct(StringComparer.Ordinal)!];
    }

    /// <summary>An IANA time zone this server knows (Asia/Shanghai, Europe/Berlin).</summary>
    /// <summary>An optional local date as yyyy-MM-dd (a day of the tenant's time zone); null when absent or wrong.</summary>
    public DateOnly? Date(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)) return day;
        Add(field, "must be a date as yyyy-MM-dd, a day of the tenant's time zone");
        return null;
    }

    public string TimeZone(string field, string? value)
    {
        if (value is { Length: > 0 and <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(value, out var zone) && zone.HasIanaId) return value;
        Add(field, "must be an IANA time zone name, such as Asia/Shanghai");
        return TenantZoneFallback;
    }

    private const string TenantZoneFallback = "Asia/Shanghai";

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw new RequestValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }

    /// <summary>Characters as a person counts them: one per text element, full-width or half-width alike.</summary>
    public static int Characters(string text) => new StringInfo(text).LengthInTextElements;
}

/// <summary>Paging of every list: <c>offset</c> (from 0) and <c>limit</c> (1–200, default 50).</summary>
public readonly record struct Paging(int Offset, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static Paging From(int? offset, int? limit)
    {
        var checks = new Checks();
        var o = checks.Range("offset", offset, 0, int.MaxValue, 0);
        var l = checks.Range("limit", limit, 1, MaxLimit, DefaultLimit);
        checks.ThrowIfAny();
        return new Paging(o, l);
    }
}

/// <summary>A page of a list as the API returns it.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit);

/// <summary>The stores keep times as Unix milliseconds; the API shows them as ISO 8601.</summary>
public static class UnixTime
{
    public static DateTimeOffset At(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static DateTimeOffset? At(long? milliseconds) => milliseconds is { } ms ? At(ms) : null;
}
