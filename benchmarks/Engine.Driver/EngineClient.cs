using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engine.Driver;

/// <summary>A refused request: the status and the problem details the server sent.</summary>
public sealed class EngineApiException(HttpStatusCode status, string body)
    : Exception($"{(int)status} {status}: {body}")
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// The REST API as a script or load tester uses it: one signs in once (cookie and CSRF token) to set up
/// a tenant, then acts through API tokens.
/// </summary>
public sealed class EngineClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private string? _csrfToken;

    public EngineClient(Uri address, int connections = 64)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        };
        _http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Signs in with the cookie; when the password is an initial one, changes it to <paramref name="newPassword"/> first (TN-3).</summary>
    public async Task<JsonNode> SignInAsync(string email, string password, string? newPassword, CancellationToken cancellationToken)
    {
        var me = await SendAsync(HttpMethod.Post, "api/v1/sign-in", null, new { email, password }, cancellationToken).ConfigureAwait(false);
        _csrfToken = (string?)me!["csrfToken"];
        if ((bool?)me["mustChangePassword"] == true)
        {
            if (newPassword is null) throw new InvalidOperationException($"{email} must change the initial password first.");
            me = await SendAsync(HttpMethod.Post, "api/v1/me/password", null, new { currentPassword = password, newPassword }, cancellationToken).ConfigureAwait(false);
            _csrfToken = (string?)me!["csrfToken"];
        }
        return me!;
    }

    public Task<JsonNode?> GetAsync(string path, string? token, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Get, path, token, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, string? token, object? body, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, path, token, body, cancellationToken);

    public Task<JsonNode?> PutAsync(string path, string? token, object? body, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Put, path, token, body, cancellationToken);

    /// <summary>
    /// One request: with <paramref name="token"/> as a bearer, else with the signed-in cookie and its CSRF
    /// token. Returns the JSON body (null when empty); throws <see cref="EngineApiException"/> on an error status.
    /// </summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, string? token, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (_csrfToken is not null) request.Headers.Add("X-CSRF-TOKEN", _csrfToken);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new EngineApiException(response.StatusCode, text);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public void Dispose() => _http.Dispose();
}
