using System.Net;

namespace Tekton.Web.Tests.Service;

/// <summary>
/// Tekton records no activity per request (its hosting logger is off for speed), yet every error still carries a
/// W3C trace id, continuing the caller's trace when it sent a <c>traceparent</c>.
/// </summary>
public sealed class RequestTraceTests : IAsyncLifetime
{
    private TektonServer _server = null!;

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_error_carries_a_new_trace_id_for_each_request()
    {
        using var first = await _server.Client.GetAsync("/api/tekton/components/missing");
        using var second = await _server.Client.GetAsync("/api/tekton/components/missing");

        var one = (await first.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001))["trace_id"]!.GetValue<string>();
        var two = (await second.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001))["trace_id"]!.GetValue<string>();
        one.Split('-')[1].Should().NotBe(two.Split('-')[1]);
    }

    [Fact]
    public async Task An_error_continues_the_callers_trace()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tekton/components/missing");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        using var response = await _server.Client.SendAsync(request);

        var traceId = (await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001))["trace_id"]!.GetValue<string>();
        traceId.Should().StartWith("00-0af7651916cd43dd8448eb211c80319c-").And.NotContain("b7ad6b7169203331");
    }
}
