using Microsoft.AspNetCore.Http.Metadata;
using NJsonSchema;
using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// Brings the endpoints' own metadata into the OpenAPI document: summary and description, and error
/// responses as <c>application/problem+json</c> with the Tekton members.
/// </summary>
internal sealed class OpenApiConventions : IOperationProcessor, IDocumentProcessor
{
    private const string ProblemSchema = "ProblemDetails";

    public bool Process(OperationProcessorContext context)
    {
        if (context is AspNetCoreOperationProcessorContext aspNet)
        {
            var metadata = aspNet.ApiDescription.ActionDescriptor.EndpointMetadata;
            context.OperationDescription.Operation.Summary ??= metadata.OfType<IEndpointSummaryMetadata>().LastOrDefault()?.Summary;
            context.OperationDescription.Operation.Description ??= metadata.OfType<IEndpointDescriptionMetadata>().LastOrDefault()?.Description;
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

    private static string Describe(string status) => status switch
    {
        "200" => "OK",
        "201" => "Created",
        "204" => "No content",
        "400" => "Invalid request (1000; 1002 for a registration)",
        "404" => "Not found (1001 for an unknown component)",
        "409" => "Conflict (1003, 1004, 1005, 1007, 1011 or 1012)",
        "413" => "Body larger than 1 MiB (1007)",
        "504" => "Timeout (1006)",
        "503" => "Unavailable",
        _ => status,
    };
}
