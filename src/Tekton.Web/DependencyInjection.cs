using Microsoft.AspNetCore.Http.Json;
using NJsonSchema.Generation;
using Prometheus;
using Tekton.Web.Endpoints;
using Tekton.Web.Infrastructure;

namespace Tekton.Web;

public static class DependencyInjection
{
    /// <summary>The most a request body may hold (design §11).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IHostApplicationBuilder AddWebServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        services.ConfigureHttpJsonOptions(options => TektonJsonContext.Configure(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        services.AddSingleton<Tekton.Application.Lifecycle.ITektonAddress, ServerAddress>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsExceptionHandler.CustomizeProblem);
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        services.AddEndpointsApiExplorer();
        services.AddOpenApiDocument((settings, provider) =>
        {
            settings.DocumentName = "v1";
            settings.Title = "Tekton API";
            settings.Version = "v1";
            settings.Description = "The control plane for systems built from many AI components. Units: times are RFC 3339 UTC; " +
                "durations in seconds; uptime as [d.]hh:mm:ss; system memory, swap, disk and GPU memory in GiB; a component's rss/vms in MiB; " +
                "network and disk I/O in bytes; percentages 0-100. Errors are application/problem+json with `code` (the Tekton error code), " +
                "`success: false` and `trace_id`.";
            var json = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.SerializerOptions;
            ((SystemTextJsonSchemaGeneratorSettings)settings.SchemaSettings).SerializerOptions = json;
            var conventions = new OpenApiConventions();
            settings.OperationProcessors.Add(conventions);
            settings.DocumentProcessors.Add(conventions);
        });

        return builder;
    }

    public static WebApplication UseTektonPipeline(this WebApplication app)
    {
        // Outermost, so that request metrics see the status code the error handling finally wrote.
        app.UseHttpMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOpenApi(settings => settings.Path = "/openapi/{documentName}.json");
        app.UseSwaggerUi(settings =>
        {
            settings.Path = "/swagger";
            settings.DocumentPath = "/openapi/{documentName}.json";
        });
        return app;
    }

    public static WebApplication MapTektonEndpoints(this WebApplication app)
    {
        app.MapComponentEndpoints();
        app.MapLifecycleEndpoints();
        app.MapDependencyEndpoints();
        app.MapServiceInfoEndpoints();
        app.MapMetrics("/metrics").ExcludeFromDescription();
        return app;
    }
}
