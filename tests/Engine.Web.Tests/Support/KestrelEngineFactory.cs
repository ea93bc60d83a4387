using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests.Support;

/// <summary>The real server on Kestrel, on a free local port, for clients that need a socket (SignalR, browsers).</summary>
public class KestrelEngineFactory : EngineFactory
{
    public KestrelEngineFactory() => UseKestrel(0);

    /// <summary>The server's address, once started; the tests' API clients go there too.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var address = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            ClientOptions.BaseAddress = address;
            return address;
        }
    }
}
