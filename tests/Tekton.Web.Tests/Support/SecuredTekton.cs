using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Support;

/// <summary>
/// A Tekton server with auth on, its bootstrap Admin key given through TEKTON_BOOTSTRAP_ADMIN_KEY, and one key of
/// each role made through the API: <see cref="ComponentKey"/> acts as <see cref="OwnComponent"/>.
/// </summary>
public sealed class SecuredTekton : IAsyncDisposable
{
    public const string AdminKey = "tk_test-bootstrap-admin-key-0123456789abcdef";
    public const string OwnComponent = "alpha";
    public const string ForeignComponent = "beta";

    private SecuredTekton(TektonServer server) => Server = server;

    public TektonServer Server { get; }

    public string ComponentKey { get; private set; } = null!;

    public string MonitorKey { get; private set; } = null!;

    public string UserKey { get; private set; } = null!;

    public static async Task<SecuredTekton> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Tekton:Auth:Enabled"] = "true",
            ["TEKTON_BOOTSTRAP_ADMIN_KEY"] = AdminKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var secured = new SecuredTekton(await TektonServer.StartAsync(all));
        secured.ComponentKey = await secured.CreateKeyAsync("alpha-key", "component", OwnComponent);
        secured.MonitorKey = await secured.CreateKeyAsync("monitor-key", "monitor");
        secured.UserKey = await secured.CreateKeyAsync("user-key", "user");
        return secured;
    }

    /// <summary>Creates a key with the Admin key and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string name, string role, string? componentId = null)
    {
        using var client = ClientFor(AdminKey);
        using var response = await client.PostAsJsonAsync("/api/tekton/auth/keys", new { name, role, component_id = componentId });
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return JsonNode.Parse(body)!["api_key"]!.GetValue<string>();
    }

    /// <summary>A client sending this credential as a bearer token (or none).</summary>
    public HttpClient ClientFor(string? credential)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (credential is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        return client;
    }

    public async Task<string> TokenAsync(string apiKey)
    {
        using var client = ClientFor(null);
        using var response = await client.PostAsJsonAsync("/api/tekton/auth/token", new { api_key = apiKey });
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
