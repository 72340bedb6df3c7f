using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Tekton.Application.Common;
using Tekton.Application.Events;
using Tekton.Application.Lifecycle;
using Tekton.Application.Models;
using Tekton.Application.Resources;
using Tekton.Application.Security;
using Microsoft.Extensions.Configuration;

namespace Tekton.Application;

public static class DependencyInjection
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Field names in validation errors are the wire's snake_case names.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        ValidatorOptions.Global.LanguageManager.Enabled = false;

        builder.Services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.Assemblies = [typeof(DependencyInjection)];
            options.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
        });
        builder.Services.AddValidatorsFromAssemblyContaining(typeof(DependencyInjection), ServiceLifetime.Singleton);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RegistryProjection>();
        builder.Services.AddSingleton<HeartbeatTable>();
        builder.Services.AddOptions<EventOptions>().Bind(builder.Configuration.GetSection(EventOptions.Section))
            .Validate(o => o.QueueCapacity is >= 16 and <= 1_000_000, "Tekton:Events:QueueCapacity must be between 16 and 1000000.")
            .Validate(o => o.RetainedEvents is >= 1 and <= 10_000_000, "Tekton:Events:RetainedEvents must be between 1 and 10000000.")
            .Validate(o => o.MaxConnections >= 1, "Tekton:Events:MaxConnections must be at least 1.")
            .Validate(o => o.MaxSubscriptionsPerConnection >= 1, "Tekton:Events:MaxSubscriptionsPerConnection must be at least 1.")
            .Validate(o => o.MaxMessageBytes is >= 1024 and <= 16 * 1024 * 1024, "Tekton:Events:MaxMessageBytes must be between 1024 and 16777216.")
            .Validate(o => o.KeepAliveSeconds is >= 0 and <= 3600, "Tekton:Events:KeepAliveSeconds must be between 0 (off) and 3600.")
            .Validate(o => o.CloseTimeoutSeconds is > 0 and <= 60, "Tekton:Events:CloseTimeoutSeconds must be more than 0 and at most 60.")
            .ValidateOnStart();
        builder.Services.AddSingleton<EventSequence>();
        builder.Services.AddSingleton<EventBus>();

        builder.Services.AddOptions<SupervisionOptions>().Bind(builder.Configuration.GetSection(SupervisionOptions.Section))
            .Configure(o => o.Manifest ??= builder.Configuration["Tekton:Manifest"])
            .Validate(o => o.ReadyAfterSeconds is >= 0 and <= 3600, "Tekton:Supervision:ReadyAfterSeconds must be between 0 and 3600.")
            .Validate(o => o.DependencyTimeoutSeconds is >= 0 and <= 3600, "Tekton:Supervision:DependencyTimeoutSeconds must be between 0 and 3600.")
            .Validate(o => o.HealthCheckIntervalSeconds is >= 0.1 and <= 3600, "Tekton:Supervision:HealthCheckIntervalSeconds must be between 0.1 and 3600.")
            .Validate(o => o.HealthCheckTimeoutSeconds is >= 0.1 and <= 60, "Tekton:Supervision:HealthCheckTimeoutSeconds must be between 0.1 and 60.")
            .Validate(o => o.HeartbeatSweepSeconds is >= 0.05 and <= 60, "Tekton:Supervision:HeartbeatSweepSeconds must be between 0.05 and 60.")
            .Validate(o => o.LogFileMaxBytes >= 4096, "Tekton:Supervision:LogFileMaxBytes must be at least 4096.")
            .Validate(o => o.LogRotationSeconds is >= 0.1 and <= 3600, "Tekton:Supervision:LogRotationSeconds must be between 0.1 and 3600.")
            .ValidateOnStart();
        builder.Services.AddOptions<ResourceOptions>().Bind(builder.Configuration.GetSection(ResourceOptions.Section))
            .Validate(o => o.SampleIntervalSeconds is >= 0.1 and <= 3600, "Tekton:Resources:SampleIntervalSeconds must be between 0.1 and 3600.")
            .Validate(o => o.HistoryMinutes is >= 1 and <= 10_080, "Tekton:Resources:HistoryMinutes must be between 1 and 10080 (a week).")
            .Validate(o => o.HistoryCapacity <= 1_000_000, "Tekton:Resources keeps at most 1000000 samples: raise SampleIntervalSeconds or lower HistoryMinutes.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ResourceMonitor>();
        builder.Services.AddSingleton<ResourceReports>();

        builder.Services.AddOptions<CatalogOptions>().Bind(builder.Configuration.GetSection("Tekton"))
            .Validate(o => o.Models.All(m => new ModelBodyValidator().Validate(m).IsValid),
                "Tekton:Models has an invalid model: each needs id, provider, capabilities (1-64 tokens), tier (1-3) and context_window (1-100000000); status is available or unavailable; endpoint an http(s) URL.")
            .Validate(o => o.Models.Select(m => m.Id).Distinct(StringComparer.Ordinal).Count() == o.Models.Count, "Tekton:Models names a model id twice.")
            .ValidateOnStart();
        builder.Services.AddOptions<OllamaOptions>().Bind(builder.Configuration.GetSection(OllamaOptions.Section))
            .Validate(o => Uri.TryCreate(o.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps),
                "Tekton:Ollama:Url must be an absolute http(s) URL, e.g. http://localhost:11434.")
            .Validate(o => o.PollIntervalSeconds is >= 1 and <= 86_400, "Tekton:Ollama:PollIntervalSeconds must be between 1 and 86400.")
            .Validate(o => o.TimeoutSeconds is > 0 and <= 60, "Tekton:Ollama:TimeoutSeconds must be more than 0 and at most 60.")
            .Validate(o => o.ContextWindow is >= 1 and <= ModelBodyValidator.MaxContextWindow, "Tekton:Ollama:ContextWindow must be between 1 and 100000000.")
            .ValidateOnStart();
        builder.Services.AddOptions<RoutingOptions>().Bind(builder.Configuration.GetSection(RoutingOptions.Section))
            .Validate(o => o.RetryAfterSeconds is >= 1 and <= 3600, "Tekton:Routing:RetryAfterSeconds must be between 1 and 3600.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<ModelStore>();
        builder.Services.AddSingleton<OllamaDiscovery>();

        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section))
            .Validate(o => o.TokenLifetimeSeconds is >= 60 and <= 86_400 * 30, "Tekton:Auth:TokenLifetimeSeconds must be between 60 and 2592000 (30 days).")
            .Validate(o => o.RequestsPerSecond >= 1 && o.Burst >= 1, "Tekton:Auth:RequestsPerSecond and Tekton:Auth:Burst must be at least 1.")
            .Validate(o => o.TokenRequestsPerMinute >= 1, "Tekton:Auth:TokenRequestsPerMinute must be at least 1.")
            .Validate(o => string.IsNullOrEmpty(o.SigningKey) || SigningKeyBytes(o.SigningKey) >= 32,
                "Tekton:Auth:SigningKey must be base64 of at least 32 bytes (e.g. openssl rand -base64 32).")
            .ValidateOnStart();
        builder.Services.AddOptions<LimitOptions>().Bind(builder.Configuration.GetSection(LimitOptions.Section))
            .Validate(o => o.MaxComponents >= 1, "Tekton:Limits:MaxComponents must be at least 1.")
            .ValidateOnStart();
        builder.Services.AddOptions<ProbeOptions>().Bind(builder.Configuration.GetSection(ProbeOptions.Section));
        builder.Services.AddOptions<AuditOptions>().Bind(builder.Configuration.GetSection(AuditOptions.Section))
            .Validate(o => o.MaxEntries >= 100, "Tekton:Audit:MaxEntries must be at least 100.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton<Components.RegistrationReplays>();
        builder.Services.AddHostedService<Components.RegistrationReplayUpkeep>();
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<AuditTrail>());

        builder.Services.AddSingleton<ITektonAddress>(new ConfiguredTektonAddress(builder.Configuration["Tekton:Url"] ?? "http://127.0.0.1:8010"));
        builder.Services.AddSingleton<SignalBoard>();
        builder.Services.AddSingleton<HealthTable>();
        builder.Services.AddSingleton<InstanceRunner>();
        builder.Services.AddSingleton<StartupCoordinator>();
        builder.Services.TryAddSingleton<IExpiryLease, SingleNodeLease>();
        builder.Services.TryAddSingleton(new LocalNode(Environment.MachineName, Clustered: false));
        builder.Services.AddSingleton<HeartbeatExpiry>();
        builder.Services.AddSingleton<HealthChecks>();

        // Started in this order, after Infrastructure's (the database and the writer), and stopped in reverse.
        builder.Services.AddHostedService(provider => provider.GetRequiredService<InstanceRunner>());
        builder.Services.AddHostedService<LifecycleBoot>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<HeartbeatExpiry>());
        builder.Services.AddHostedService(provider => provider.GetRequiredService<HealthChecks>());
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ResourceMonitor>());
        builder.Services.AddHostedService<ModelBoot>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<OllamaDiscovery>());
        return builder;
    }

    private static int SigningKeyBytes(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? written : 0;
    }
}
