namespace Tekton.Client.Tests.Lifecycle;

[Collection(SharedServerCollection.Name)]
public sealed class LifecycleClientTests(SharedServer shared)
{
    private readonly TektonClient _client = shared.Client;

    [Fact]
    public async Task Heartbeats_and_state_changes_move_the_instance()
    {
        var id = SharedServer.Id("beat");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "Beat", "service", "1.0.0"));

        var beat = await _client.SendHeartbeatAsync(id, new Heartbeat
        {
            InstanceUuid = uuid,
            Status = ComponentStates.Initializing,
            Metrics = new Dictionary<string, object?> { ["cpu_percent"] = 15.2, ["queue"] = "empty" },
        });
        beat.Status.Should().Be(ComponentStates.Initializing);
        beat.InstanceUuid.Should().Be(uuid);

        var ready = await _client.MarkReadyAsync(id, uuid);
        ready.PreviousState.Should().Be(ComponentStates.Initializing);
        ready.NewState.Should().Be(ComponentStates.Ready);

        var degraded = await _client.ChangeInstanceStateAsync(id, uuid, ComponentStates.Degraded, "index rebuilding");
        degraded.NewState.Should().Be(ComponentStates.Degraded);
        (await _client.GetComponentAsync(id)).Instances[0].Reason.Should().Be("index rebuilding");

        var forbidden = await FluentActions.Awaiting(() => _client.ChangeInstanceStateAsync(id, uuid, ComponentStates.Registered))
            .Should().ThrowAsync<TektonApiException>();
        forbidden.Which.Code.Should().Be(1012);

        (await _client.NotifyShutdownAsync(id, uuid)).NewState.Should().Be(ComponentStates.Stopped);
        (await _client.NotifyShutdownAsync(id, uuid)).NewState.Should().Be(ComponentStates.Stopped, "an instance already stopped is left as it is");
    }

    [Fact]
    public async Task StartHeartbeat_sends_until_stopped()
    {
        var id = SharedServer.Id("loop");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "Loop", "service", "1.0.0"));

        var heartbeats = _client.StartHeartbeat(id, TimeSpan.FromMilliseconds(100), new HeartbeatOptions
        {
            InstanceUuid = uuid,
            Build = () => new Heartbeat { Status = ComponentStates.Ready },
        });
        (await Eventually.TrueAsync(() => heartbeats.Sent >= 3)).Should().BeTrue();
        await heartbeats.StopAsync();
        var sent = heartbeats.Sent;

        heartbeats.Failed.Should().Be(0);
        heartbeats.LastResult!.Status.Should().Be(ComponentStates.Ready);
        (await _client.GetComponentStatusAsync(id)).Status.Should().Be(ComponentStates.Ready);
        await Task.Delay(300);
        heartbeats.Sent.Should().Be(sent, "no heartbeat is sent after StopAsync");
    }

    [Fact]
    public async Task Start_waits_for_ready_logs_show_the_output_and_stop_ends_the_process()
    {
        var id = SharedServer.Id("proc");
        await _client.RegisterComponentAsync(new ComponentRegistration(id, "Process", "service", "1.0.0")
        {
            Launch = new LaunchSpec { Command = "/bin/sh", Args = ["-c", "echo hello; echo world; exec sleep 60"], StopTimeout = 5 },
        });

        var started = await _client.StartComponentAsync(id, wait: true);

        started.Message.Should().Be("Component started");
        var details = await _client.GetComponentAsync(id);
        details.Status.Should().Be(ComponentStates.Ready);
        details.Instances[0].Pid.Should().NotBeNull();
        details.Launch!.Restart.Should().Be("on-failure");
        (await _client.StartComponentAsync(id)).Message.Should().Be("Component already running");
        (await Eventually.TrueAsync(async () => (await _client.GetComponentLogsAsync(id, tail: 10)).Lines.Contains("world"))).Should().BeTrue();
        (await _client.GetComponentLogsAsync(id)).Lines.Should().StartWith(["hello", "world"]);

        var stopped = await _client.StopComponentAsync(id, new StopOptions { Timeout = 5 });

        stopped.Message.Should().Be("Component stopped successfully");
        (await _client.GetComponentAsync(id)).Instances[0].Status.Should().Be(ComponentStates.Stopped);
        (await _client.StopComponentAsync(id)).Message.Should().Be("Component already stopped");
    }

    [Fact]
    public async Task A_start_that_cannot_succeed_throws_with_the_code_and_members()
    {
        var id = SharedServer.Id("lonely");
        await _client.RegisterComponentAsync(new ComponentRegistration(id, "Lonely", "service", "1.0.0")
        {
            Dependencies = ["nobody-" + id],
            Launch = new LaunchSpec { Command = "/bin/true" },
        });

        var refused = await FluentActions.Awaiting(() => _client.StartComponentAsync(id, wait: true)).Should().ThrowAsync<TektonApiException>();

        refused.Which.Code.Should().Be(1003);
        refused.Which.Member("missing_dependencies")!.Value.GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task ListenForShutdown_returns_the_signal_of_a_stop_and_NotifyShutdown_completes_it()
    {
        var id = SharedServer.Id("listen");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "Listener", "service", "1.0.0"));
        await _client.MarkReadyAsync(id, uuid);
        var listening = _client.ListenForShutdownAsync(id, uuid);
        (await _client.WaitForSignalAsync(id, uuid, TimeSpan.Zero)).Should().BeNull("no stop was asked for yet");

        var stopping = _client.StopComponentAsync(id, new StopOptions { Timeout = 20 });
        var signal = await listening.WaitAsync(TimeSpan.FromSeconds(10));

        signal.Signal.Should().Be("shutdown");
        signal.Timeout.Should().Be(20);
        signal.Force.Should().BeFalse();
        stopping.IsCompleted.Should().BeFalse("the stop waits for the instance to report stopped");
        await _client.NotifyShutdownAsync(id, uuid);
        (await stopping.WaitAsync(TimeSpan.FromSeconds(10))).Success.Should().BeTrue();
    }

    [Fact]
    public async Task WaitForDependencies_reports_the_ones_not_ready_and_succeeds_once_they_are()
    {
        var dependency = SharedServer.Id("dep");
        var missing = SharedServer.Id("missing");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(dependency, "Dependency", "service", "1.0.0"));

        var (success, failed) = await _client.WaitForDependenciesAsync([dependency, missing], timeout: 0.3, checkInterval: 0.1);

        success.Should().BeFalse();
        failed.Should().Equal(dependency, missing);

        var waiting = _client.WaitForDependenciesAsync([dependency], TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        await _client.MarkReadyAsync(dependency, uuid);
        var outcome = await waiting;
        outcome.Success.Should().BeTrue("the wait ends once the dependency is ready");
        outcome.FailedDependencies.Should().BeEmpty();
    }
}
