using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Client;

/// <summary>The JSON conventions of the Tekton API: snake_case names, nulls left out of requests.</summary>
public static class TektonJson
{
    /// <summary>The serializer options the client reads and writes the API with.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = false,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
