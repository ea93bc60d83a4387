namespace Engine.Web.Tests.Support;

/// <summary>
/// 200 script-injection strings for the pages: twenty classic vectors, each in ten disguises (quotes to break out of
/// attributes, upper case, entities, a Chinese sentence around it, a line break...). None starts or ends with a space,
/// so that what a page trims is what was typed.
/// </summary>
public static class XssPayloads
{
    private static readonly string[] Vectors =
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<body onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<video><source onerror=alert(1)>",
        "<object data=\"javascript:alert(1)\">",
        "<embed src=\"javascript:alert(1)\">",
        "<b onclick=alert(1)>",
        "<img src=1 onerror=window.__xss=1>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<style>@import 'javascript:alert(1)'</style>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button>x</button></form>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<template><script>alert(1)</script></template>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
    ];

    private static readonly Func<string, string>[] Disguises =
    [
        v => v,
        v => "\"" + v,
        v => "'>" + v,
        v => "\"><" + v[1..],
        v => v.ToUpperInvariant(),
        v => "你好" + v + "谢谢",
        v => "line one\n" + v,
        v => v.Contains("alert(1)", StringComparison.Ordinal) ? v.Replace("alert(1)", "alert`1`", StringComparison.Ordinal) : v + "<!--",
        v => "&lt;" + v + "&gt;",
        v => "`${" + v + "}`",
    ];

    public static IReadOnlyList<string> All { get; } = [.. Vectors.SelectMany(v => Disguises.Select(d => d(v)))];

    /// <summary>Short ones, for names (a nickname takes at most 20 characters).</summary>
    public static IEnumerable<string> AtMost(int length) => All.Where(p => p.Length <= length);
}
