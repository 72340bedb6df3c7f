using System.ComponentModel;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>The reference's version answer.</summary>
public sealed record VersionResponse(
    [property: Description("Tekton's version (SemVer)")] string Version,
    [property: Description("UTC date of the build, yyyy-MM-dd")] string BuildDate,
    [property: Description("The git commit the build was made from, or 'unknown'")] string GitCommit,
    string ApiVersion);

/// <summary>A health probe's answer.</summary>
public sealed record HealthResponse(
    [property: Description("healthy | degraded | unhealthy")] string Status,
    IReadOnlyDictionary<string, string> Checks);

/// <summary>Version and health probes: public, cheap, for load balancers and orchestrators.</summary>
public static class ServiceInfo
{
    private static readonly VersionResponse CurrentVersion = ReadVersion();

    public static void MapServiceInfoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tekton/version", GetVersion)
            .RequirePermission(Permission.Public)
            .WithTags("Service")
            .WithName(nameof(GetVersion))
            .WithSummary("Get the API version")
            .WithDescription("Tekton's version, build date and git commit, stamped at build time, and the API version (v1).");

        app.MapGet("/health/live", GetLiveness)
            .RequirePermission(Permission.Public)
            .WithTags("Service")
            .WithName(nameof(GetLiveness))
            .WithSummary("Liveness probe")
            .WithDescription("200 while the process serves requests.");

        app.MapGet("/health/ready", GetReadiness)
            .RequirePermission(Permission.Public)
            .WithTags("Service")
            .WithName(nameof(GetReadiness))
            .WithSummary("Readiness probe")
            .WithDescription("200 when the database answers, else 503 with the failing checks.")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
    }

    public static Ok<VersionResponse> GetVersion() => TypedResults.Ok(CurrentVersion);

    public static Ok<HealthResponse> GetLiveness() =>
        TypedResults.Ok(new HealthResponse("healthy", new Dictionary<string, string>()));

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> GetReadiness(
        HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), cancellationToken);
        var answer = new HealthResponse(
            report.Status.ToString().ToLowerInvariant(),
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant(), StringComparer.Ordinal));
        return report.Status == HealthStatus.Unhealthy
            ? TypedResults.Json(answer, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(answer);
    }

    private static VersionResponse ReadVersion()
    {
        var assembly = typeof(ServiceInfo).Assembly;
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value ?? string.Empty);
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return new VersionResponse(
            version,
            metadata.GetValueOrDefault("BuildDate", "unknown"),
            metadata.GetValueOrDefault("GitCommit", "unknown"),
            "v1");
    }
}
