using Engine.Persistence.Admin;

namespace Engine.Web.Infrastructure;

/// <summary>
/// The browser pages: the agent workbench (<c>/workbench</c>), the admins' dashboard (<c>/console/dashboard</c>) and a
/// website channel's chat (<c>/chat/{channelKey}</c>), plain ES modules from <c>wwwroot</c> beside the server's assembly,
/// with the SignalR client and Chart.js from npm. Every response carries a Content Security Policy without inline
/// scripts or styles, and <c>nosniff</c>.
/// </summary>
public static class Pages
{
    /// <summary>Scripts and styles from this server only; connections to it (SignalR); images from it or the page's own blobs.</summary>
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors ";

    public const string WorkbenchPath = "/workbench";

    /// <summary>The tenant admins' dashboard (DB-1..DB-5); the page signs in and asks the API, which checks the role.</summary>
    public const string DashboardPath = "/console/dashboard";

    /// <summary>The npm files the pages load, under <c>wwwroot/lib</c>.</summary>
    private static readonly string[] Libraries = [Path.Combine("signalr", "signalr.min.js"), Path.Combine("chartjs", "chart.umd.min.js")];

    /// <summary>Where the pages are: <c>wwwroot</c> beside the server's assembly (the build copies it there).</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static WebApplication UseEnginePages(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // A page may set its own frame-ancestors (the chat, embedded on its channel's website); every other page none but this server.
            context.Response.OnStarting(() =>
            {
                if (!headers.ContainsKey("Content-Security-Policy")) headers.ContentSecurityPolicy = Policy + "'self'";
                return Task.CompletedTask;
            });
            return next(context);
        });
        foreach (var library in Libraries.Where(l => !File.Exists(Path.Combine(WebRoot, "lib", l))))
            PageLog.LibraryMissing(app.Logger, library, WebRoot);
        app.UseStaticFiles();
        app.MapGet("/", () => Results.Redirect(WorkbenchPath)).ExcludeFromDescription();
        app.MapGet(WorkbenchPath, () => Results.File(Path.Combine(WebRoot, "workbench.html"), "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet(DashboardPath, () => Results.File(Path.Combine(WebRoot, "dashboard.html"), "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/chat/{channelKey:regex(^[A-Za-z0-9_-]{{1,128}}$)}", ChatAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>A website channel's chat, which its own website may embed (frame-ancestors: this server and the channel's domain).</summary>
    private static async Task<IResult> ChatAsync(string channelKey, HttpContext http, ChannelStore channels, CancellationToken cancellationToken)
    {
        var channel = await channels.FindByKeyAsync(channelKey, cancellationToken);
        if (!Engine.Web.Admin.ChannelKinds.IsWebChat(channel)) return Results.NotFound();
        var domain = Engine.Web.Api.ChannelApi.DomainOf(channel);
        http.Response.Headers.ContentSecurityPolicy = Policy + "'self'" + (domain is null ? "" : $" https://{domain} http://{domain}");
        return Results.File(Path.Combine(WebRoot, "chat.html"), "text/html; charset=utf-8");
    }
}

internal static partial class PageLog
{
    [LoggerMessage(EventId = 720, Level = LogLevel.Warning, Message = "The browser library lib/{Library} is missing under {WebRoot}: run `npm ci` in web/ and build again (run.sh and test.sh do), or the pages that load it (the workbench and the chat: SignalR; the dashboard: Chart.js) do not work")]
    public static partial void LibraryMissing(ILogger logger, string library, string webRoot);
}
