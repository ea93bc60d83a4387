using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Engine.Web.Infrastructure;

/// <summary>
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, honoured from the proxies named in
/// <c>Engine:ForwardedHeaders:KnownProxies</c> (addresses) and <c>KnownNetworks</c> (CIDR ranges) only, so that
/// sign-in limits and logs see the client's address behind a load balancer. Nothing named: the headers are
/// ignored from everyone (ASP.NET Core's own default trusts loopback; the engine trusts nobody unless told).
/// </summary>
public static class ForwardedAddresses
{
    private const string Section = "Engine:ForwardedHeaders";

    public static IServiceCollection AddEngineForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var (proxies, networks) = Read(configuration);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
        });
        return services;
    }

    /// <summary>First in the pipeline, so that everything after it (logging, limits) sees the forwarded address.</summary>
    public static WebApplication UseEngineForwardedHeaders(this WebApplication app)
    {
        var (proxies, networks) = Read(app.Configuration);
        if (proxies.Count > 0 || networks.Count > 0) app.UseForwardedHeaders();
        return app;
    }

    /// <summary>The configured proxies and networks; a value that is not an address or a CIDR range stops the start, naming it.</summary>
    private static (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> Networks) Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var proxies = Values(section.GetSection("KnownProxies")).Select(v => IPAddress.TryParse(v, out var address)
            ? address
            : throw new InvalidOperationException($"{Section}:KnownProxies: '{v}' is not an IP address.")).ToList();
        var networks = Values(section.GetSection("KnownNetworks")).Select(v => System.Net.IPNetwork.TryParse(v, out var network)
            ? network
            : throw new InvalidOperationException($"{Section}:KnownNetworks: '{v}' is not a CIDR range such as 10.0.0.0/8.")).ToList();
        return (proxies, networks);
    }

    /// <summary>A list as array entries (<c>KnownProxies:0</c>...) or as one comma-separated value (an environment variable).</summary>
    private static IEnumerable<string> Values(IConfigurationSection section)
        => (section.Value is { Length: > 0 } one ? one.Split(',') : section.GetChildren().Select(c => c.Value ?? ""))
            .Select(v => v.Trim()).Where(v => v.Length > 0);
}
