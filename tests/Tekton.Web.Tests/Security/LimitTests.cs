using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Security;

/// <summary>Design §11's limits: per-key rate limits, the token endpoint per address, JSON depth, the component cap.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_while_other_keys_are_unaffected()
    {
        await using var tekton = await SecuredTekton.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Auth:RequestsPerSecond"] = "1",
            ["Tekton:Auth:Burst"] = "5",
        });
        using var monitor = tekton.ClientFor(tekton.MonitorKey);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            var response = await monitor.GetAsync("/api/tekton/components");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        limited.Should().NotBeNull("a burst of 5 at 1/s cannot serve 20 requests at once");
        await limited!.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, 1007);
        int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
        limited.Dispose();

        using var user = tekton.ClientFor(tekton.UserKey);
        (await user.GetAsync("/api/tekton/models")).StatusCode.Should().Be(HttpStatusCode.OK, "each key has its own bucket");

        using var admin = tekton.ClientFor(SecuredTekton.AdminKey);
        JsonNode[] throttled = [];
        (await Processes.EventuallyAsync(async () =>
        {
            // The Admin key has a bucket of 5 too: a read it is refused is simply tried again.
            using var response = await admin.GetAsync("/api/tekton/audit?outcome=denied&limit=1000");
            throttled = response.IsSuccessStatusCode
                ? [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["entries"]!.AsArray()
                    .Where(e => e!["status"]!.GetValue<int>() == 429 && e["actor"]!.GetValue<string>() == "monitor-key")
                    .Select(e => e!)]
                : throttled;
            return throttled.Length > 0;
        })).Should().BeTrue("a key being throttled is audited");
        throttled.Should().ContainSingle("only the first refusal of a key in a minute is audited, not each of the flood");
        throttled[0]["action"]!.GetValue<string>().Should().Be("ListComponents");
        throttled[0]["outcome"]!.GetValue<string>().Should().Be("denied");
    }

    [Fact]
    public async Task The_token_endpoint_is_limited_per_client_address()
    {
        await using var tekton = await SecuredTekton.StartAsync(new Dictionary<string, string?> { ["Tekton:Auth:TokenRequestsPerMinute"] = "3" });
        using var client = tekton.ClientFor(null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/tekton/auth/token", new { api_key = "tk_wrong-" + i });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, 1007);
                response.Headers.RetryAfter.Should().NotBeNull();
            }
        }

        statuses.Should().Equal(
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Json_nested_deeper_than_32_levels_is_refused_with_400()
    {
        await using var tekton = await SecuredTekton.StartAsync();
        using var admin = tekton.ClientFor(SecuredTekton.AdminKey);
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);
        var body = $$"""{"component_id":"deep","component_name":"d","component_type":"service","version":"1.0.0","metadata":{{deep}}}""";
        using var response = await admin.PostAsync("/api/tekton/components", new StringContent(body, Encoding.UTF8, "application/json"));
        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002))["detail"]!.GetValue<string>().Should().Contain("32");

        using var registered = await admin.PostAsync("/api/tekton/components", new StringContent(
            """{"component_id":"deep","component_name":"d","component_type":"service","version":"1.0.0"}""", Encoding.UTF8, "application/json"));
        registered.IsSuccessStatusCode.Should().BeTrue();
        using var heartbeat = await admin.PostAsync("/api/tekton/components/deep/heartbeat", new StringContent(
            $$"""{"metrics":{{deep}}}""", Encoding.UTF8, "application/json"));
        (await heartbeat.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000))["detail"]!.GetValue<string>().Should().Contain("nested more than 32 levels");
    }

    [Fact]
    public async Task Registering_beyond_the_component_cap_is_413_and_keeps_what_is_stored()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Limits:MaxComponents"] = "2" });
        await server.RegisterAsync("one");
        await server.RegisterAsync("two");

        using var third = await server.PostJsonAsync("/api/tekton/components",
            """{"component_id":"three","component_name":"t","component_type":"service","version":"1.0.0"}""");
        await third.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, 1007);

        await server.RegisterAsync("two");
        (await server.GetObjectAsync("/api/tekton/components"))["components"]!.AsArray().Should().HaveCount(2);
    }
}
