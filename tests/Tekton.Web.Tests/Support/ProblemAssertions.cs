using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Support;

public static class ProblemAssertions
{
    /// <summary>Asserts a problem+json answer with the given status and Tekton code, and returns its body.</summary>
    public static async Task<JsonObject> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(text)!.AsObject();
        problem["code"]!.GetValue<int>().Should().Be(code, text);
        problem["success"]!.GetValue<bool>().Should().BeFalse();
        problem["status"]!.GetValue<int>().Should().Be((int)status);
        problem["trace_id"]!.GetValue<string>().Should().MatchRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", "trace_id is a W3C trace id");
        problem["title"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        text.Should().NotContain("   at ", "an error never carries a stack trace");
        return problem;
    }

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;
}
