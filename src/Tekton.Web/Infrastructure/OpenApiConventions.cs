using Microsoft.AspNetCore.Http.Metadata;
using NJsonSchema;
using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// Brings the endpoints' own metadata into the OpenAPI document: summary and description, and error
/// responses as <c>application/problem+json</c> with the Tekton members.
/// </summary>
internal sealed class OpenApiConventions : IOperationProcessor, IDocumentProcessor
{
    public const string SecurityScheme = "bearer";
    public const string ApiKeyScheme = "api_key";
    private const string ProblemSchema = "ProblemDetails";
    private const string RolesExtension = "x-tekton-roles";

    public bool Process(OperationProcessorContext context)
    {
        if (context is AspNetCoreOperationProcessorContext aspNet)
        {
            var metadata = aspNet.ApiDescription.ActionDescriptor.EndpointMetadata;
            context.OperationDescription.Operation.Summary ??= metadata.OfType<IEndpointSummaryMetadata>().LastOrDefault()?.Summary;
            context.OperationDescription.Operation.Description ??= metadata.OfType<IEndpointDescriptionMetadata>().LastOrDefault()?.Description;
            if (metadata.OfType<RequiredPermission>().LastOrDefault() is { } required)
            {
                // The roles that may call it (design §11), read back by the document processor.
                context.OperationDescription.Operation.ExtensionData ??= new Dictionary<string, object?>();
                context.OperationDescription.Operation.ExtensionData[RolesExtension] = required.Permission == Permission.Public
                    ? new[] { "public" }
                    : Roles.All.Where(r => AccessTable.Grants(r, required.Permission)).Select(r => r.WireName()).ToArray();
            }
        }

        foreach (var (status, response) in context.OperationDescription.Operation.Responses)
        {
            if (string.IsNullOrEmpty(response.Description))
            {
                response.Description = Describe(status);
            }

            if (status.StartsWith('4') || status.StartsWith('5'))
            {
                if (response.Content.Remove("application/json", out var json))
                {
                    response.Content["application/problem+json"] = json;
                }
            }
        }

        return true;
    }

    public void Process(DocumentProcessorContext context)
    {
        if (!context.Document.Components.Schemas.TryGetValue(ProblemSchema, out var problem))
        {
            return;
        }

        foreach (var operation in context.Document.Paths.Values.SelectMany(path => path.Values))
        {
            DeclareAccess(operation, problem);
            if (operation.RequestBody is not null)
            {
                // Every body is read under the same limits (docs/api.md, Conventions).
                AddProblem(operation, "413", "Body larger than 1 MiB (1007)", problem);
                AddProblem(operation, "415", "Body not application/json (1000)", problem);
            }
        }

        // Any write may find the database full (api.md decision 55).
        foreach (var (method, operation) in context.Document.Paths.Values.SelectMany(path => path))
        {
            if (method is not ("get" or "head" or "options"))
            {
                AddProblem(operation, "507", "The database is full; nothing was stored (1007)", problem);
            }
        }

        problem.Description = "RFC 9457 problem details with the Tekton error code.";
        problem.Properties["code"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Integer,
            Description = "The Tekton error code: 1000 general, 1001 component not found, 1002 registration failed, 1003 dependency resolution failed, " +
                "1004 startup failed, 1005 circular dependency, 1006 timeout, 1007 resource constraint violated, 1008 authorization error, " +
                "1009 route not found, 1010 model not available, 1011 component already exists, 1012 invalid component state transition.",
        };
        problem.Properties["success"] = new JsonSchemaProperty { Type = JsonObjectType.Boolean, Description = "Always false." };
        problem.Properties["trace_id"] = new JsonSchemaProperty { Type = JsonObjectType.String, Description = "Quote it when reporting the error; the server log has the same id." };
        problem.Properties["errors"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Object | JsonObjectType.Null,
            Description = "For invalid requests: each offending field (snake_case) with its messages.",
            AdditionalPropertiesSchema = new JsonSchema { Type = JsonObjectType.Array, Item = new JsonSchema { Type = JsonObjectType.String } },
        };
    }

    /// <summary>The credentials an operation takes and the refusals it can answer: 401 without them, 403 for a role outside its row, 429 over a rate limit.</summary>
    private static void DeclareAccess(OpenApiOperation operation, JsonSchema problem)
    {
        if (operation.ExtensionData?.TryGetValue(RolesExtension, out var value) != true || value is not string[] roles || roles.Contains("public"))
        {
            return;
        }

        operation.Security = [new OpenApiSecurityRequirement { [SecurityScheme] = [] }, new OpenApiSecurityRequirement { [ApiKeyScheme] = [] }];
        AddProblem(operation, "401", "No or invalid credentials (1008); see WWW-Authenticate", problem);
        if (roles.Length < Roles.All.Count)
        {
            AddProblem(operation, "403", $"Allowed only to {string.Join(", ", roles)} (1008); a component key acts only as its own component", problem);
        }

        AddProblem(operation, "429", "Over the key's rate limit (1007); see Retry-After", problem);
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description, JsonSchema problem)
    {
        if (operation.Responses.ContainsKey(status))
        {
            return;
        }

        var response = new OpenApiResponse { Description = description };
        response.Content["application/problem+json"] = new OpenApiMediaType { Schema = new JsonSchema { Reference = problem } };
        operation.Responses[status] = response;
    }

    private static string Describe(string status) => status switch
    {
        "200" => "OK",
        "201" => "Created",
        "204" => "No content",
        "400" => "Invalid request (1000; 1002 for a registration)",
        "404" => "Not found (1001 for an unknown component)",
        "409" => "Conflict (1003, 1004, 1005, 1007, 1011 or 1012)",
        "401" => "No or invalid credentials (1008)",
        "413" => "Body larger than 1 MiB, or a limit reached (1007)",
        "429" => "Rate limit (1007)",
        "504" => "Timeout (1006)",
        "503" => "Unavailable",
        _ => status,
    };
}
