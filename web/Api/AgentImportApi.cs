using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// AG-4: batch add from a CSV file. Every bad row is reported with its line number and why; the good
/// rows are added together, in one transaction, or (if the store refuses one of them) none is.
/// </summary>
public static class AgentImportApi
{
    public const int MaxRows = 1000;
    public const long MaxBytes = 1024 * 1024;
    private static readonly string[] Columns = ["name", "staffNo", "email", "nickname", "phone", "role", "skillGroups"];

    public static IEndpointRouteBuilder MapAgentImportApi(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/api/v1/tenants/{tenantId}/agents").WithTags("Agents").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("agent");
        agents.MapGet("/import-template", Template);
        // Cookie callers are held to the CSRF header by the auth pipeline; the form needs no token of its own.
        agents.MapPost("/import", Import).DisableAntiforgery();
        return app;
    }

    public sealed record RowError(int Line, string Field, string Reason);

    public sealed record ImportedAgent(int Line, string Id, string Email, string InitialPassword);

    public sealed record ImportResult(IReadOnlyList<ImportedAgent> Added, IReadOnlyList<RowError> Errors);

    /// <summary>The header and one example row; <c>skillGroups</c> lists group names or ids separated by <c>|</c>.</summary>
    public static FileContentHttpResult Template()
    {
        var text = string.Join(",", Columns) + "\r\n" + "Li Lei,A001,lilei@example.com,Lei,13800000000,agent,Web chat|Hotline\r\n";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray(), "text/csv", "agents-template.csv");
    }

    public static async Task<Ok<ImportResult>> Import(string tenantId, IFormFile? file, AgentService agents, UserStore users, SkillGroupStore groups, CancellationToken cancellationToken)
    {
        if (file is null) throw RequestValidationException.For("file", "is required (multipart/form-data, a CSV file)");
        if (file.Length > MaxBytes) throw RequestValidationException.For("file", $"must be at most {MaxBytes / 1024} KB");
        var rows = await ReadAsync(file, cancellationToken);
        var tenantGroups = (await groups.ListAsync(tenantId, null, 0, 10_000, cancellationToken)).Items;

        var errors = new List<RowError>();
        var good = new List<(int Line, NewAgent Agent)>();
        foreach (var (line, fields) in rows)
        {
            var rowErrors = new List<RowError>();
            NewAgent? agent = null;
            try
            {
                var groupIds = GroupIds(fields.GetValueOrDefault("skillGroups"), tenantGroups, line, rowErrors);
                agent = AgentApi.Validate(new AgentApi.NewAgentRequest(fields.GetValueOrDefault("name"), fields.GetValueOrDefault("staffNo"), fields.GetValueOrDefault("email"),
                    fields.GetValueOrDefault("nickname"), fields.GetValueOrDefault("phone"), fields.GetValueOrDefault("role") is { Length: > 0 } role ? role : null, groupIds));
            }
            catch (RequestValidationException invalid)
            {
                rowErrors.AddRange(invalid.Errors.SelectMany(e => e.Value.Select(reason => new RowError(line, e.Key, reason))));
            }
            if (rowErrors.Count == 0 && agent is not null) good.Add((line, agent));
            errors.AddRange(rowErrors);
        }

        // Duplicates within the file, and against the store.
        var taken = await users.TakenAsync(tenantId, [.. good.Select(g => g.Agent.Email)], [.. good.Select(g => g.Agent.StaffNo!)], cancellationToken);
        var seenEmails = new HashSet<string>(taken.Emails, StringComparer.Ordinal);
        var seenStaff = new HashSet<string>(taken.StaffNos, StringComparer.Ordinal);
        var accepted = new List<(int Line, NewAgent Agent)>();
        foreach (var (line, agent) in good)
        {
            var duplicate = false;
            if (!seenEmails.Add(agent.Email)) { errors.Add(new RowError(line, "email", "is already used by another agent")); duplicate = true; }
            if (!seenStaff.Add(agent.StaffNo!)) { errors.Add(new RowError(line, "staffNo", "is already used by another agent of this tenant")); duplicate = true; }
            if (!duplicate) accepted.Add((line, agent));
        }

        AuditTrail.Note("added", accepted.Select(a => a.Agent.Email).ToArray());
        AuditTrail.Note("refusedRows", errors.Select(e => e.Line).Distinct().Count());
        var created = accepted.Count == 0 ? [] : await agents.CreateAsync(tenantId, [.. accepted.Select(a => a.Agent)], cancellationToken);
        var added = accepted.Zip(created, (a, c) => new ImportedAgent(a.Line, c.User.Id, c.User.Email, c.InitialPassword)).ToList();
        return TypedResults.Ok(new ImportResult(added, [.. errors.OrderBy(e => e.Line)]));
    }

    /// <summary>The data rows with their line numbers (the header is line 1); the header must name the template's columns.</summary>
    private static async Task<List<(int Line, Dictionary<string, string> Fields)>> ReadAsync(IFormFile file, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = null, DetectColumnCountChanges = false });
        if (!await csv.ReadAsync() || !csv.ReadHeader()) throw RequestValidationException.For("file", "is empty; download the template from import-template");
        var header = csv.HeaderRecord ?? [];
        var missing = Columns.Take(3).Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0) throw RequestValidationException.For("file", $"lacks the column(s) {string.Join(", ", missing)}; use the template from import-template");
        var rows = new List<(int, Dictionary<string, string>)>();
        while (await csv.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (rows.Count == MaxRows) throw RequestValidationException.For("file", $"has more than {MaxRows} rows; split it");
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var column in Columns)
            {
                var index = Array.FindIndex(header, h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
                if (index >= 0 && csv.TryGetField<string>(index, out var value) && value is not null) fields[column] = value;
            }
            if (fields.Values.All(string.IsNullOrWhiteSpace)) continue;
            rows.Add((csv.Parser.RawRow, fields));
        }
        return rows;
    }

    /// <summary>Group names or ids separated by <c>|</c>; an unknown or ambiguous name is a row error.</summary>
    private static List<string> GroupIds(string? value, IReadOnlyList<SkillGroupRow> groups, int line, List<RowError> errors)
    {
        var ids = new List<string>();
        foreach (var part in (value ?? "").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var matches = groups.Where(g => g.Id == part).ToList();
            if (matches.Count == 0) matches = [.. groups.Where(g => g.Name == part)];
            if (matches.Count == 1) ids.Add(matches[0].Id);
            else errors.Add(new RowError(line, "skillGroups", matches.Count == 0 ? $"names no skill group '{part}'" : $"'{part}' names several skill groups; use the group's id"));
        }
        return ids;
    }
}
