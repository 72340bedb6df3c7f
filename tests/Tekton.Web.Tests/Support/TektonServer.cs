using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Tekton.Web.Tests.Support;

/// <summary>
/// The real application on Kestrel, listening on a free port of 127.0.0.1, with its own SQLite file in a
/// temporary folder. <see cref="RestartAsync"/> stops it and starts a new one on the same file.
/// </summary>
public sealed class TektonServer : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private WebApplicationFactory<Program>? _factory;

    private TektonServer(string dataDirectory, Dictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _services = services;
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "tekton.db");

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _factory!.Services;

    public static async Task<TektonServer> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var directory = Directory.CreateTempSubdirectory("tekton-test-").FullName;
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Tekton:Database:ConnectionString"] = $"Data Source={Path.Combine(directory, "tekton.db")}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = new TektonServer(directory, all, services);
        await server.BootAsync();
        return server;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await BootAsync();
    }

    public async Task StopAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
            _factory = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS is left for the temp cleaner.
        }
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PutJsonAsync(string path, string json) =>
        Client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonObject> GetObjectAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Registers a component and returns the instance uuid of the answer.</summary>
    public async Task<Guid> RegisterAsync(string id, IEnumerable<string>? dependencies = null, string type = "service", string? extra = null)
    {
        var deps = JsonSerializer.Serialize(dependencies ?? []);
        var json = $$"""
            {"component_id":"{{id}}","component_name":"{{id}} component","component_type":"{{type}}","version":"1.0.0","dependencies":{{deps}}{{(extra is null ? string.Empty : "," + extra)}}}
            """;
        using var response = await PostJsonAsync("/api/tekton/components", json);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return JsonNode.Parse(body)!["instance_uuid"]!.GetValue<Guid>();
    }

    private Task BootAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in _settings)
            {
                builder.UseSetting(key, value);
            }

            builder.UseEnvironment("Testing");
            if (_services is not null)
            {
                builder.ConfigureServices(_services);
            }
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.Single());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return Task.CompletedTask;
    }
}
