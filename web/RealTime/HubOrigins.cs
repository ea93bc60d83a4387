namespace Engine.Web.RealTime;

/// <summary>
/// Which pages may open a hub connection: a browser sends its page's <c>Origin</c>, which must be this server's own
/// (the workbench, the chat page) or, for the web chat, the website channel's domain (the chat embedded there). A client
/// that is not a browser sends no <c>Origin</c> and is judged by its credentials alone.
/// </summary>
public static class HubOrigins
{
    public static bool Allowed(HttpContext http, string? channelDomain = null)
    {
        string? origin = http.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin)) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var page) || page.Scheme is not ("http" or "https")) return false;
        var own = $"{http.Request.Scheme}://{http.Request.Host}";
        if (string.Equals(origin.TrimEnd('/'), own, StringComparison.OrdinalIgnoreCase)) return true;
        return channelDomain is not null && string.Equals(page.Host, channelDomain, StringComparison.OrdinalIgnoreCase);
    }
}
