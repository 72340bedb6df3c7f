using Microsoft.AspNetCore.Http.Json;
using NJsonSchema.Generation;
using Prometheus;
using Tekton.Application.Events;
using Tekton.Web.Endpoints;
using Tekton.Web.Events;
using Tekton.Web.Infrastructure;
using Tekton.Web.Security;
using Tekton.Application.Security;
using Tekton.Domain.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

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
        // Its per-request log lines are never written at Tekton's levels, yet while the category is enabled at all
        // ASP.NET Core starts an activity and a log scope for every request (see RequestTrace).
        builder.Logging.AddFilter(RequestTrace.HostingLogCategory, LogLevel.None);
        services.ConfigureHttpJsonOptions(options => TektonJsonContext.Configure(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        AddSecurity(builder);
        services.AddSingleton<Tekton.Application.Lifecycle.ITektonAddress, ServerAddress>();
        MeterExport.Configure();
        services.AddSingleton<RequestMeter>();
        services.AddHostedService<MetricsWarmup>();
        services.AddHostedService<TieringAdvice>();
        AddEvents(builder);
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
            settings.AddSecurity(OpenApiConventions.SecurityScheme, new NSwag.OpenApiSecurityScheme
            {
                Type = NSwag.OpenApiSecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "tk_ API key or JWT",
                Description = "An API key (tk_...) or a token from POST /api/tekton/auth/token. Also accepted as X-API-Key, and as ?access_token= on /ws and /hubs.",
            });
            settings.AddSecurity(OpenApiConventions.ApiKeyScheme, new NSwag.OpenApiSecurityScheme
            {
                Type = NSwag.OpenApiSecuritySchemeType.ApiKey,
                Name = TektonAuthentication.ApiKeyHeader,
                In = NSwag.OpenApiSecurityApiKeyLocation.Header,
                Description = "An API key (tk_...) or token.",
            });
            var conventions = new OpenApiConventions();
            settings.OperationProcessors.Add(conventions);
            settings.DocumentProcessors.Add(conventions);
        });

        return builder;
    }

    /// <summary>Design §11: one authentication scheme, the role table as policies, rate limits, and the loopback rule.</summary>
    private static void AddSecurity(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // First of all hosted services, so that a refused configuration stops the start before anything else runs.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, ListenGuard>());
        services.AddAuthentication(TektonAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TektonAuthentication>(TektonAuthentication.SchemeName, null);
        services.AddAuthorization(Access.AddPolicies);
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AccessDeniedWriter>();
        services.AddRateLimiter(_ => { });
        services.AddSingleton<RateLimitAudit>();
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AuthOptions>>((limiter, auth) => RateLimits.Configure(limiter, auth.Value));
        // With auth off the pipeline has no authorization middleware (see UseTektonPipeline).
        services.AddOptions<RouteOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AuthOptions>>((routes, auth) => routes.SuppressCheckForUnhandledSecurityMetadata = !auth.Value.Enabled);
    }

    /// <summary>The live event channels (design §10): the sockets' bookkeeping and the SignalR hub.</summary>
    private static void AddEvents(IHostApplicationBuilder builder)
    {
        var events = builder.Configuration.GetSection(EventOptions.Section).Get<EventOptions>() ?? new EventOptions();
        builder.Services.AddSingleton<EventConnections>();
        builder.Services.AddSingleton<EventFanout>();
        builder.Services.AddSingleton<HubSubscriptions>();
        var redis = builder.Configuration["Tekton:Redis:ConnectionString"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            builder.Services.AddSingleton<HubLifetimeManager<TektonHub>, TektonHubLifetimeManager>();
        }

        var signalR = builder.Services.AddSignalR(options =>
            {
                options.AddFilter<HubAccess>();
                options.MaximumReceiveMessageSize = events.MaxMessageBytes;
                options.EnableDetailedErrors = false;
                if (events.KeepAliveSeconds > 0)
                {
                    options.KeepAliveInterval = TimeSpan.FromSeconds(events.KeepAliveSeconds);
                    options.ClientTimeoutInterval = TimeSpan.FromSeconds(events.KeepAliveSeconds * 2);
                }
            })
            .AddJsonProtocol(options =>
            {
                TektonJsonContext.Configure(options.PayloadSerializerOptions);
                options.PayloadSerializerOptions.Converters.Add(new RawJsonConverter());
                // Hub arguments and answers beyond the generated context (e.g. a client's own payloads).
                options.PayloadSerializerOptions.TypeInfoResolverChain.Add(new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
            });
        if (!string.IsNullOrWhiteSpace(redis))
        {
            // Several nodes: SignalR's Redis backplane carries sends to connections held by another node. Events
            // themselves reach every node through the cluster bus and are delivered by the node a connection is on.
            var prefix = builder.Configuration["Tekton:Redis:ChannelPrefix"] is { Length: > 0 } configured ? configured : "tekton";
            signalR.AddStackExchangeRedis(redis, options => options.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(prefix + ":signalr"));
        }
    }

    public static WebApplication UseTektonPipeline(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value;
        if (!auth.Enabled)
        {
            // Auth off: heartbeats and a component's details are answered first, ahead of what every rule would
            // allow. The hot paths count their answers in the request metrics themselves, and hand what they fail on
            // to the exception handler below (HotPaths.RethrowFailure). Their answers always have a body, so the
            // status-code pages below have nothing to add to them.
            app.UseMiddleware<HotPaths>();
        }

        // Outermost of the rest, so that request metrics see the status code the error handling finally wrote.
        app.UseMiddleware<RequestMetrics>();
        app.UseExceptionHandler();
        if (!auth.Enabled)
        {
            app.Use(HotPaths.RethrowFailure);
        }

        app.UseStatusCodePages();
        // The middlewares that only some paths need run only on those paths: every request to the API's hot
        // paths (heartbeats, lookups) would otherwise pay for each one's checks (docs/performance.md).
        var events = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventOptions>>().Value;
        app.UseWhen(context => IsUnder(context, "/ws", "/hubs"), sockets => sockets.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = events.KeepAliveSeconds > 0 ? TimeSpan.FromSeconds(events.KeepAliveSeconds) : Timeout.InfiniteTimeSpan,
            KeepAliveTimeout = events.KeepAliveSeconds > 0 ? TimeSpan.FromSeconds(events.KeepAliveSeconds) : Timeout.InfiniteTimeSpan,
        }));
        app.UseMiddleware<BrowserOrigins>();
        // Before routing and authorization: the dashboard's files are public and are no endpoints.
        app.UseDashboard();
        app.UseWhen(context => IsUnder(context, "/openapi", "/swagger"), documents =>
        {
            documents.UseOpenApi(settings => settings.Path = "/openapi/{documentName}.json");
            documents.UseSwaggerUi(settings =>
            {
                settings.Path = "/swagger";
                settings.DocumentPath = "/openapi/{documentName}.json";
            });
        });
        app.UseRouting();
        if (auth.Enabled)
        {
            app.UseAuthentication();
            app.UseRateLimiter();
            app.UseAuthorization();
        }
        else
        {
            // Auth off: one caller, the local Admin, on loopback only (ListenGuard). Every rule would allow it, so
            // the hot paths skip authentication, rate limiting and authorization rather than pay for a yes.
            // WebApplication adds the two middlewares itself unless these markers say they are placed; if a
            // framework version renamed them, they would run and allow everything: slower, never less safe.
            ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
            ((IApplicationBuilder)app).Properties["__AuthorizationMiddlewareSet"] = true;
            app.Use((context, next) =>
            {
                context.User = Caller.LocalPrincipal;
                return next(context);
            });
        }

        app.UseMiddleware<AdminAudit>();
        return app;
    }

    private static bool IsUnder(HttpContext context, PathString first, PathString second) =>
        context.Request.Path.StartsWithSegments(first, StringComparison.OrdinalIgnoreCase)
        || context.Request.Path.StartsWithSegments(second, StringComparison.OrdinalIgnoreCase);

    public static WebApplication MapTektonEndpoints(this WebApplication app)
    {
        app.MapComponentEndpoints();
        app.MapLifecycleEndpoints();
        app.MapDependencyEndpoints();
        app.MapResourceEndpoints();
        app.MapModelEndpoints();
        app.MapServiceInfoEndpoints();
        app.MapSecurityEndpoints();
        app.MapEventSockets();
        app.MapHub<TektonHub>(TektonHub.Path, options => options.CloseOnAuthenticationExpiration = true).RequirePermission(Permission.Read);
        app.MapMetrics("/metrics").RequirePermission(Permission.Read).ExcludeFromDescription();
        return app;
    }
}
