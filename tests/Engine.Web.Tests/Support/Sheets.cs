using MiniExcelLibs;

namespace Engine.Web.Tests.Support;

/// <summary>An .xlsx answer read back.</summary>
public static class Sheets
{
    /// <summary>The sheet's rows as text (times as <c>yyyy-MM-dd HH:mm:ss</c>, an empty cell as ""), read back with MiniExcel.</summary>
    public static async Task<List<string[]>> ReadAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        return [.. file.Query().Cast<IDictionary<string, object?>>().Select(row => row.Values.Select(Text).ToArray())];
    }

    private static string Text(object? cell) => cell switch
    {
        null => "",
        DateTime at => at.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(cell, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
