using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Components;

/// <summary>Registration with an Idempotency-Key: a retry gets the first answer and creates no second instance, across a restart too.</summary>
public sealed class IdempotentRegistrationTests : IAsyncLifetime
{
    private const string Registration = """{"component_id":"engram","component_name":"Engram","component_type":"memory","version":"1.0.0"}""";
    private TektonServer _server = null!;

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_first_answer_and_creates_one_instance()
    {
        var (firstStatus, first) = await RegisterAsync(Registration, "retry-1");
        firstStatus.Should().Be(HttpStatusCode.Created);

        var retries = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RegisterAsync(Registration, "retry-1")));
        retries.Should().OnlyContain(r => r.Status == HttpStatusCode.Created);
        retries.Select(r => r.Body["instance_uuid"]!.GetValue<Guid>()).Should().AllBeEquivalentTo(first["instance_uuid"]!.GetValue<Guid>());
        await InstancesShouldBeAsync(1);

        await _server.RestartAsync();
        var (afterStatus, after) = await RegisterAsync(Registration, "retry-1");
        afterStatus.Should().Be(HttpStatusCode.Created);
        after["instance_uuid"]!.GetValue<Guid>().Should().Be(first["instance_uuid"]!.GetValue<Guid>());
        await InstancesShouldBeAsync(1);

        (await RegisterAsync(Registration, "retry-2")).Status.Should().Be(HttpStatusCode.OK, "a new key is a new registration");
        (await RegisterAsync(Registration, null)).Status.Should().Be(HttpStatusCode.OK);
        await InstancesShouldBeAsync(3);
    }

    [Fact]
    public async Task Concurrent_first_requests_with_one_key_create_one_instance()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RegisterAsync(Registration, "race")));
        answers.Select(a => a.Body["instance_uuid"]!.GetValue<Guid>()).Distinct().Should().ContainSingle();
        await InstancesShouldBeAsync(1);
    }

    [Fact]
    public async Task The_same_key_with_another_body_or_a_bad_key_is_refused()
    {
        await RegisterAsync(Registration, "reused");
        using var other = await PostAsync(Registration.Replace("1.0.0", "1.1.0", StringComparison.Ordinal), "reused");
        (await other.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002))["errors"]!["idempotency_key"].Should().NotBeNull();

        using var bad = await PostAsync(Registration, "has space");
        (await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002))["errors"]!["idempotency_key"].Should().NotBeNull();
        await InstancesShouldBeAsync(1);
    }

    private async Task InstancesShouldBeAsync(int count) =>
        (await _server.GetObjectAsync("/api/tekton/components/engram"))["instances"]!.AsArray().Should().HaveCount(count);

    private async Task<(HttpStatusCode Status, JsonObject Body)> RegisterAsync(string json, string? key)
    {
        using var response = await PostAsync(json, key);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return (response.StatusCode, JsonNode.Parse(body)!.AsObject());
    }

    private Task<HttpResponseMessage> PostAsync(string json, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tekton/components") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return _server.Client.SendAsync(request);
    }
}
