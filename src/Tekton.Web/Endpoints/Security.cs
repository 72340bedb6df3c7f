using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Common;
using Tekton.Application.Security;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>API keys, tokens and the audit trail (design §11).</summary>
public static class Security
{
    public static void MapSecurityEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tekton").WithTags("Security");

        group.MapPost("/auth/keys", CreateApiKey)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(CreateApiKey))
            .WithSummary("Create an API key")
            .WithDescription("Creates a key for a role (admin, component, monitor, user; component keys name the component id they act as). " +
                "The answer's `api_key` is the only time the secret is shown: Tekton keeps only its SHA-256.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/auth/keys", ListApiKeys)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(ListApiKeys))
            .WithSummary("List API keys")
            .WithDescription("Every key with its role, component id, first characters (`prefix`), creation and last use; never the secret.");

        group.MapDelete("/auth/keys/{key_id}", DeleteApiKey)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(DeleteApiKey))
            .WithSummary("Revoke an API key")
            .WithDescription("The key and every token issued for it stop working at once. 404 (1000) for an unknown id.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/auth/token", IssueToken)
            .RequirePermission(Permission.Public)
            .RequireRateLimiting(RateLimits.TokenPolicy)
            .WithName(nameof(IssueToken))
            .WithSummary("Exchange an API key for a token")
            .WithDescription("An HS256 JWT standing for the key, for `expires_in` seconds; it stops working when the key is revoked. " +
                "401 (1008) for an unknown key; limited per client address (429 with Retry-After).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/audit", GetAuditTrail)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(GetAuditTrail))
            .WithSummary("Read the audit trail")
            .WithDescription("Admin actions and denied requests, newest first: who (actor, key_id, role), what (action, method, path, target), " +
                "when, from where (client_address) and the outcome. Page with `before_id` = the previous page's `next_before_id`; filter with `outcome`.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    public static async Task<Created<CreatedApiKey>> CreateApiKey(ISender sender, [FromBody] CreateApiKey create, CancellationToken cancellationToken)
    {
        var created = await sender.Send(create, cancellationToken);
        return TypedResults.Created($"/api/tekton/auth/keys/{created.Id}", created);
    }

    public static async Task<Ok<ApiKeyList>> ListApiKeys(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListApiKeys(), cancellationToken));

    public static async Task<Ok<OperationResult>> DeleteApiKey(
        ISender sender, [FromRoute(Name = "key_id")] string keyId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new DeleteApiKey(keyId), cancellationToken));

    public static async Task<Ok<TokenResult>> IssueToken(ISender sender, [FromBody] IssueToken request, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(request, cancellationToken));

    public static async Task<Ok<AuditList>> GetAuditTrail(
        ISender sender,
        [FromQuery] int? limit,
        [FromQuery(Name = "before_id")] long? beforeId,
        [FromQuery] string? outcome,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetAuditTrail(limit, beforeId, outcome), cancellationToken));
}
