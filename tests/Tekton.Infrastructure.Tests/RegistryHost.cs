using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tekton.Application;
using Tekton.Application.Common;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Infrastructure.Tests;

/// <summary>Application and Infrastructure in a generic host (no web server) over a SQLite file of its own.</summary>
public sealed class RegistryHost : IAsyncDisposable
{
    private readonly IHost _host;

    private RegistryHost(IHost host, string directory)
    {
        _host = host;
        Directory = directory;
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "tekton.db");

    public IServiceProvider Services => _host.Services;

    public IRegistryWriter Writer => Services.GetRequiredService<IRegistryWriter>();

    public RegistryProjection Projection => Services.GetRequiredService<RegistryProjection>();

    public static async Task<RegistryHost> StartAsync(string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("tekton-infra-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = directory });
        builder.Configuration["Tekton:Database:ConnectionString"] = "Data Source=tekton.db";
        builder.Configuration["Tekton:Heartbeats:FlushIntervalSeconds"] = "3600";
        builder.Logging.ClearProviders();
        builder.AddInfrastructureServices();
        builder.AddApplicationServices();
        var host = builder.Build();
        await host.StartAsync();
        return new RegistryHost(host, directory);
    }

    public TektonDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<TektonDbContext>>().CreateDbContext();

    public async Task StopAsync() => await _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>A test class that gets its own started <see cref="RegistryHost"/>, removed with its folder afterwards.</summary>
public abstract class RegistryHostTest : IAsyncLifetime
{
    protected RegistryHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await RegistryHost.StartAsync();

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Host.Directory, recursive: true);
    }
}
