using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Tekton.Client;
using Tekton.Client.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Tekton component integration to a .NET host.</summary>
public static class TektonHostingExtensions
{
    /// <summary>
    /// Runs this host as a Tekton component: it registers when the host starts (attaching to the instance Tekton
    /// launched, when <c>TEKTON_INSTANCE_UUID</c> is set), sends heartbeats and resource reports, marks the instance
    /// ready once the host has started, stops the host when Tekton sends the shutdown signal, and reports
    /// <c>stopping</c> and <c>stopped</c> when the host stops. Also registers <see cref="TektonClient"/> and
    /// <see cref="TektonComponent"/>.
    /// </summary>
    public static IServiceCollection AddTektonComponent(this IServiceCollection services, Action<TektonComponentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new TektonComponentOptions();
        configure(options);
        return services.AddTektonComponent(options);
    }

    /// <summary>Runs this host as a Tekton component configured by <paramref name="options"/>.</summary>
    public static IServiceCollection AddTektonComponent(this IServiceCollection services, TektonComponentOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Registration.ComponentId)
            && Environment.GetEnvironmentVariable(TektonIntegration.ComponentVariable) is { Length: > 0 } launchedAs)
        {
            options.Registration.ComponentId = launchedAs;
        }

        if (string.IsNullOrEmpty(options.Registration.ComponentId))
        {
            throw new ArgumentException("The registration needs a component id (or TEKTON_COMPONENT_ID in the environment).", nameof(options));
        }

        services.TryAddSingleton(_ => new TektonClient(options.Client));
        services.AddSingleton(options);
        services.AddSingleton(provider => new TektonComponent(provider.GetRequiredService<TektonClient>(), options.Registration.ComponentId));
        services.AddSingleton<TektonComponentService>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<TektonComponentService>());
        return services;
    }
}
