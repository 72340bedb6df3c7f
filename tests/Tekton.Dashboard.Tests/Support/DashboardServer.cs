using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Tekton.Web.Tests.Support;

namespace Tekton.Dashboard.Tests.Support;

/// <summary>
/// The real Tekton in-process on Kestrel (a free port of 127.0.0.1, a temporary SQLite file, Ollama discovery off),
/// serving the dashboard that the build put in Tekton.Web's wwwroot, with <see cref="Api"/> to arrange what a test
/// needs through the REST API. With auth on, <see cref="AdminKey"/> is the bootstrap Admin key and <see cref="Api"/>
/// sends it.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>The bootstrap Admin key of a server started with auth on.</summary>
    public const string BootstrapAdminKey = "tk_test-bootstrap-admin-key-0123456789abcdef";

    private readonly TektonServer _server;

    private DashboardServer(TektonServer server, string? adminKey)
    {
        _server = server;
        AdminKey = adminKey;
        if (adminKey is not null)
        {
            server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        }
    }

    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>The Admin key when auth is on; null when it is off.</summary>
    public string? AdminKey { get; }

    /// <summary>A client of the API at <see cref="BaseAddress"/>, as Admin.</summary>
    public HttpClient Api => _server.Client;

    /// <summary>The application's services, to look at what the page caused.</summary>
    public IServiceProvider Services => _server.Services;

    /// <summary>Starts Tekton; <paramref name="settings"/> are configuration keys (e.g. <c>Tekton:Events:KeepAliveSeconds</c>).</summary>
    public static async Task<DashboardServer> StartAsync(bool auth = false, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Tekton:Ollama:Enabled"] = "false" };
        if (auth)
        {
            all["Tekton:Auth:Enabled"] = "true";
            all["TEKTON_BOOTSTRAP_ADMIN_KEY"] = BootstrapAdminKey;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = await TektonServer.StartAsync(all);
        try
        {
            await EnsureDashboardAsync(server.Client);
            return new DashboardServer(server, auth ? BootstrapAdminKey : null);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registers a component (<c>POST /api/tekton/components</c>) and returns its instance uuid.</summary>
    /// <param name="extra">More members of the registration, as JSON without braces: <c>"heartbeat_timeout": 5</c>.</param>
    public Task<Guid> RegisterComponentAsync(string id, IEnumerable<string>? dependencies = null, string type = "service", string? extra = null) =>
        _server.RegisterAsync(id, dependencies, type, extra);

    /// <summary>Requests a state transition of an instance (<c>PUT …/instances/{uuid}/state</c>), e.g. to <c>ready</c>.</summary>
    public async Task ChangeStateAsync(string id, Guid instance, string state)
    {
        using var response = await _server.PutJsonAsync($"/api/tekton/components/{id}/instances/{instance}/state", $$"""{"state":"{{state}}"}""");
        await EnsureSuccessAsync(response);
    }

    /// <summary>Sends a heartbeat for an instance (<c>POST …/heartbeat</c>).</summary>
    public async Task HeartbeatAsync(string id, Guid instance)
    {
        using var response = await _server.PostJsonAsync($"/api/tekton/components/{id}/heartbeat", $$"""{"instance_uuid":"{{instance}}"}""");
        await EnsureSuccessAsync(response);
    }

    /// <summary>GETs a JSON object from the API, failing on any status but 200.</summary>
    public Task<JsonObject> GetObjectAsync(string path) => _server.GetObjectAsync(path);

    /// <summary>POSTs JSON to the API and returns the answer as it is.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) => _server.PostJsonAsync(path, json);

    /// <summary>PUTs JSON to the API and returns the answer as it is.</summary>
    public Task<HttpResponseMessage> PutJsonAsync(string path, string json) => _server.PutJsonAsync(path, json);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task EnsureDashboardAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/");
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/html")
        {
            throw new InvalidOperationException(
                $"Tekton does not serve the dashboard at / ({(int)response.StatusCode}): {(await response.Content.ReadAsStringAsync()).Trim()}");
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
    }
}
