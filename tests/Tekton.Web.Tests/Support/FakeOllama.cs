using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tekton.Web.Tests.Support;

/// <summary>An HTTP server on a free port of 127.0.0.1 that answers <c>GET /api/tags</c> as Ollama documents it.</summary>
public sealed class FakeOllama : IAsyncDisposable
{
    /// <summary>The shape of Ollama's documented answer (api.md, "List Local Models").</summary>
    public const string Tags = """
        {"models": [
          {"name": "llama3:latest", "model": "llama3:latest", "modified_at": "2025-04-30T15:20:30.123Z", "size": 4661224676,
           "digest": "365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1",
           "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"], "parameter_size": "8.0B", "quantization_level": "Q4_0"}},
          {"name": "codellama:70b", "model": "codellama:70b", "modified_at": "2025-04-30T15:20:30.123Z", "size": 38974080000,
           "digest": "e59b580dfce7a8a9f9a1f3c8b3c6a3e1a7c8c2d6f5e4d3c2b1a0f9e8d7c6b5a4",
           "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"], "parameter_size": "69B", "quantization_level": "Q4_0"}},
          {"name": "nomic-embed-text:latest", "model": "nomic-embed-text:latest", "modified_at": "2025-04-30T15:20:30.123Z", "size": 274302450,
           "digest": "0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f",
           "details": {"parent_model": "", "format": "gguf", "family": "nomic-bert", "families": ["nomic-bert"], "parameter_size": "137M", "quantization_level": "F16"}}
        ]}
        """;

    private readonly WebApplication _app;

    private FakeOllama(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<FakeOllama> StartAsync(string tags = Tags)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/api/tags", () => Results.Text(tags, "application/json"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeOllama(app, new Uri(address));
    }

    /// <summary>Stops answering: the port is closed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
