using System.Net;
using System.Net.Sockets;

namespace Engine.Web.Tests.Support;

/// <summary>
/// A TCP load balancer in front of a cluster's servers, as a browser meets one: every new connection goes to the first
/// server that accepts it, so that when a server dies the browser's reconnects reach another. (A stand-in for what is
/// outside the engine: a real deployment's balancer.)
/// </summary>
public sealed class FrontProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<Uri> _servers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;

    public FrontProxy(IReadOnlyList<Uri> servers)
    {
        _servers = servers;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var _ = client;
        using var server = await ConnectAsync();
        if (server is null) return;
        lock (_open) _open.AddRange([client, server]);
        var incoming = client.GetStream();
        var outgoing = server.GetStream();
        try
        {
            // Either side closing (or a server dying) ends both.
            await Task.WhenAny(incoming.CopyToAsync(outgoing, _stop.Token), outgoing.CopyToAsync(incoming, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended: the browser reconnects.
        }
    }

    /// <summary>The first server that takes the connection, or null when none does.</summary>
    private async Task<TcpClient?> ConnectAsync()
    {
        foreach (var server in _servers)
        {
            var tcp = new TcpClient();
            try
            {
                await tcp.ConnectAsync(server.Host, server.Port, _stop.Token);
                return tcp;
            }
            catch (SocketException)
            {
                // That server is down: the next one.
                tcp.Dispose();
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_open) foreach (var tcp in _open) tcp.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
