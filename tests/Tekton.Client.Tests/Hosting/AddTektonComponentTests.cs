using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tekton.Client.Hosting;

namespace Tekton.Client.Tests.Hosting;

[Collection(SharedServerCollection.Name)]
public sealed class AddTektonComponentTests(SharedServer shared)
{
    private readonly TektonClient _client = shared.Client;

    [Fact]
    public async Task A_host_registers_heartbeats_reports_is_ready_and_stops_on_the_shutdown_signal()
    {
        var id = SharedServer.Id("hosted");
        var signalled = new TaskCompletionSource<ControlSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(id, options => options.OnShutdownSignal = signalled.SetResult);

        await host.StartAsync();

        var component = host.Services.GetRequiredService<TektonComponent>();
        component.InstanceUuid.Should().NotBeEmpty();
        host.Services.GetRequiredService<TektonClient>().BaseAddress.Port.Should().Be(shared.Server.Port);
        var details = await _client.GetComponentAsync(id);
        details.Instances.Should().ContainSingle().Which.InstanceUuid.Should().Be(component.InstanceUuid);
        details.Status.Should().Be(ComponentStates.Ready);
        details.Instances[0].Reason.Should().Be("host started");
        (await Eventually.TrueAsync(async () => (await _client.GetComponentStatusAsync(id)).LastHeartbeat is not null)).Should().BeTrue("the host sends heartbeats");
        (await Eventually.TrueAsync(async () => (await _client.GetComponentResourcesAsync(id)).Sources.ContainsKey("memory"))).Should().BeTrue("the host reports its resources");

        var stop = _client.StopComponentAsync(id, new StopOptions { Timeout = 20 });
        var signal = await signalled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));

        signal.Signal.Should().Be("shutdown");
        component.ShutdownSignal.Should().Be(signal);
        (await stop.WaitAsync(TimeSpan.FromSeconds(10))).Message.Should().Be("Component stopped successfully");
        var instance = (await _client.GetComponentAsync(id)).Instances[0];
        instance.Status.Should().Be(ComponentStates.Stopped);
        instance.Reason.Should().Be("host stopped");
    }

    [Fact]
    public async Task A_host_stopped_by_itself_reports_stopping_and_stopped()
    {
        var id = SharedServer.Id("selfstop");
        var states = new System.Collections.Concurrent.ConcurrentQueue<StateChangeEvent>();
        await using var subscription = await _client.SubscribeToStateChangesAsync(["service"], states.Enqueue, [id]);
        using var host = Build(id, options => options.MarkReadyWhenStarted = false);

        await host.StartAsync();
        (await _client.GetComponentStatusAsync(id)).Status.Should().Be(ComponentStates.Registered, "MarkReadyWhenStarted is off");
        await host.StopAsync();

        (await Eventually.TrueAsync(() => states.Count >= 3)).Should().BeTrue();
        states.Select(s => s.NewState).Should().Equal(ComponentStates.Registered, ComponentStates.Stopping, ComponentStates.Stopped);
    }

    [Fact]
    public async Task A_host_that_cannot_register_fails_to_start()
    {
        var nowhere = new Uri($"http://127.0.0.1:{TektonServerProcess.FreePort()}");
        using var host = Build(SharedServer.Id("unreachable"), options =>
            options.Client = new TektonClientOptions { BaseAddress = nowhere, Retry = new RetryOptions { MaxAttempts = 1 } });

        var failed = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<InvalidOperationException>();

        failed.Which.Message.Should().Contain("Could not register");
    }

    [Fact]
    public async Task A_host_that_waits_for_dependencies_fails_to_start_when_they_are_not_ready()
    {
        var dependency = SharedServer.Id("notready");
        await _client.RegisterComponentAsync(new ComponentRegistration(dependency, "Not ready", "service", "1.0.0"));
        using var host = Build(SharedServer.Id("waiter"), options =>
        {
            options.Registration.Dependencies = [dependency];
            options.WaitForDependencies = true;
            options.DependencyTimeout = TimeSpan.FromMilliseconds(300);
        });

        var failed = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<InvalidOperationException>();

        failed.Which.Message.Should().Contain(dependency);
    }

    private IHost Build(string id, Action<TektonComponentOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddTektonComponent(options =>
        {
            options.Registration = new ComponentRegistration(id, "Hosted", "service", "1.0.0") { Host = "127.0.0.1" };
            options.Client = new TektonClientOptions { BaseAddress = shared.Server.BaseAddress };
            options.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            options.ResourceReportInterval = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(options);
        });
        return builder.Build();
    }
}
