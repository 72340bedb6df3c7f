using Microsoft.AspNetCore.Http.Metadata;
using Tekton.Application.Security;
using Tekton.Domain.Security;

namespace Tekton.Web.Security;

/// <summary>Audit entries made from requests, hub calls and socket actions.</summary>
public static class AuditRecords
{
    public static AuditEntry Denied(HttpContext context, Caller? caller, int status, string detail, string? action = null, string? target = null) =>
        Entry(context, caller, action ?? ActionOf(context), target ?? TargetOf(context), "denied", status, detail);

    public static AuditEntry Entry(HttpContext context, Caller? caller, string action, string? target, string outcome, int status, string? detail) => new()
    {
        Actor = caller?.Name ?? "anonymous",
        KeyId = caller?.KeyId,
        Role = caller?.Role.WireName(),
        Action = Truncate(action, 128)!,
        Method = context.Request.Method,
        Path = Truncate(context.Request.Path.Value ?? "/", 2048)!,
        Target = Truncate(target, 256),
        Outcome = outcome,
        Status = status,
        ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
        Detail = Truncate(detail, 1024),
    };

    /// <summary>The operation id of the endpoint, else the method and path.</summary>
    public static string ActionOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
        ?? $"{context.Request.Method} {context.Request.Path}";

    public static string? TargetOf(HttpContext context) =>
        (context.GetRouteValue("component_id") ?? context.GetRouteValue("model_id") ?? context.GetRouteValue("key_id")) as string;

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
