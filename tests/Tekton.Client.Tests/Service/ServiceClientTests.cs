namespace Tekton.Client.Tests.Service;

[Collection(SharedServerCollection.Name)]
public sealed class ServiceClientTests(SharedServer shared)
{
    private readonly TektonClient _client = shared.Client;

    [Fact]
    public async Task System_resources_and_their_history_read_the_machine()
    {
        var resources = await _client.GetSystemResourcesAsync();

        resources.Cpu.Cores.Should().BeGreaterThan(0);
        resources.Memory.Total.Should().BeGreaterThan(0);
        resources.Disk.Total.Should().BeGreaterThan(0);
        resources.Timestamp.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(-5));
        (await Eventually.TrueAsync(async () => (await _client.GetResourceHistoryAsync(minutes: 1)).Samples.Count > 0)).Should().BeTrue();
        (await _client.GetResourceHistoryAsync()).Interval.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task The_resource_reporter_reports_this_process_and_the_component_shows_it()
    {
        var id = SharedServer.Id("usage");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "Usage", "service", "1.0.0"));
        await using var reporter = new ResourceReporter(_client, id, uuid, TimeSpan.FromMilliseconds(200));

        var measured = reporter.Measure();
        measured.Memory!.Rss.Should().BeGreaterThan(1, "this test process holds more than a MiB");
        await reporter.StartAsync();
        (await Eventually.TrueAsync(() => reporter.Reports >= 2)).Should().BeTrue(reporter.LastError?.Message);
        await reporter.StopAsync();

        var usage = await _client.GetComponentResourcesAsync(id);
        usage.Sources.Should().Contain("memory", "reported").And.Contain("cpu_percent", "reported");
        usage.ResourceUsage.Memory!.Rss.Should().BeGreaterThan(1);
        usage.ReportedAt.Should().NotBeNull();

        var explicitReport = await _client.ReportResourcesAsync(id, new ResourceUsage { InstanceUuid = uuid, Network = new ProcessNetwork(1024, 2048) });
        explicitReport.Message.Should().Be("Resource usage recorded");
        (await _client.GetComponentResourcesAsync(id)).ResourceUsage.Network.Should().Be(new ProcessNetwork(1024, 2048));
    }

    [Fact]
    public async Task Models_are_added_listed_replaced_routed_to_and_removed()
    {
        var capability = "cap_" + Guid.NewGuid().ToString("N")[..8];
        var id = "local/" + capability + ":7b";
        var added = await _client.AddModelAsync(new ModelInfo
        {
            Id = id, Provider = "vllm", Capabilities = ["text_generation", capability], Tier = 2, ContextWindow = 32768,
            Endpoint = "http://127.0.0.1:9000/v1", Priority = 1, CostPer1kTokens = 0,
        });

        added.Source.Should().Be("api");
        added.Status.Should().Be("available");
        (await _client.GetModelAsync(id)).ContextWindow.Should().Be(32768);
        (await _client.ListModelsAsync(capability: capability)).Should().ContainSingle().Which.CostPer1kTokens.Should().Be(0);
        (await _client.GetCapabilitiesAsync()).Should().Contain(c => c.Id == capability && c.SupportedModels.Contains(id));

        var route = await _client.RouteTaskAsync(new RouteRequest
        {
            TaskType = capability, Complexity = "medium", ContextLength = 2000, Requirements = new RouteRequirements { MinTier = 2 },
        });
        route.SelectedModel.Should().Be(id);
        route.Provider.Should().Be("vllm");
        route.SelectionCriteria.Should().Be(new SelectionCriteria { ComplexityMatch = true, ContextWindowSufficient = true, CapabilityMatch = true, TierMatch = true });
        (await _client.RouteTaskAsync(capability, "low", 100)).SelectedModel.Should().Be(id);

        await _client.PutModelAsync(id, new ModelInfo { Id = id, Provider = "vllm", Capabilities = [capability], Tier = 2, ContextWindow = 32768, Status = "unavailable" });
        var unavailable = await FluentActions.Awaiting(() => _client.RouteTaskAsync(capability)).Should().ThrowAsync<TektonApiException>();
        unavailable.Which.Code.Should().Be(1010, "a model that is not available is a definite answer, not retried");
        unavailable.Which.RetryAfter.Should().NotBeNull();

        (await _client.DeleteModelAsync(id)).Success.Should().BeTrue();
        var none = await FluentActions.Awaiting(() => _client.RouteTaskAsync(capability)).Should().ThrowAsync<TektonApiException>();
        none.Which.Code.Should().Be(1009);
    }

    [Fact]
    public async Task A_caller_s_HttpClient_is_used_as_it_is_even_after_it_sent_requests()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        (await http.GetAsync(new Uri(shared.Server.BaseAddress, "health/live"))).EnsureSuccessStatusCode();

        using var client = new TektonClient(new TektonClientOptions { BaseAddress = shared.Server.BaseAddress, HttpClient = http });

        (await client.GetVersionAsync()).ApiVersion.Should().Be("v1");
        http.Timeout.Should().Be(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Version_readiness_and_metrics()
    {
        var version = await _client.GetVersionAsync();

        version.ApiVersion.Should().Be("v1");
        version.Version.Should().NotBeEmpty();
        (await _client.IsReadyAsync()).Should().BeTrue();
        (await _client.GetMetricsAsync()).Should().Contain("tekton_components");
        using var nowhere = new TektonClient(new TektonClientOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{TektonServerProcess.FreePort()}"),
            Retry = new RetryOptions { MaxAttempts = 1 },
        });
        (await nowhere.IsReadyAsync()).Should().BeFalse();
    }
}
