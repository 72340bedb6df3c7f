using Tekton.Domain.Components;

namespace Tekton.Domain.Tests.Components;

/// <summary>The transitions Tekton itself makes (launch, readiness, exit, expiry, recovery), beside the client table.</summary>
public sealed class InstanceLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_launch_makes_the_instance_initializing_and_a_restart_counts()
    {
        var instance = NewInstance();

        var launched = instance.Launched(100, 555, restart: false, "service", T0);
        instance.Exited(1, "service", T0.AddSeconds(1));
        var relaunched = instance.Launched(101, 556, restart: true, "service", T0.AddSeconds(2));

        launched.NewState.Should().Be(ComponentState.Initializing);
        relaunched.PreviousState.Should().Be(ComponentState.Failed);
        relaunched.Reason.Should().Be("restarted");
        relaunched.RestartCount.Should().Be(1);
        instance.Pid.Should().Be(101);
        instance.Restarts.Should().Equal(T0.AddSeconds(2));
    }

    [Fact]
    public void Becoming_ready_records_the_startup_duration()
    {
        var instance = NewInstance();
        instance.Launched(100, 555, restart: false, "service", T0);

        var ready = instance.BecameReady("service", T0.AddSeconds(5.2), "health check passed");

        ready!.StartupDuration.Should().BeApproximately(5.2, 0.001);
        instance.ReadyAt.Should().Be(T0.AddSeconds(5.2));
        instance.BecameReady("service", T0.AddSeconds(6), "again").Should().BeNull("it already is");
    }

    [Fact]
    public void A_launched_instance_that_reports_ready_itself_records_the_startup_duration_once()
    {
        var instance = NewInstance();
        instance.Launched(100, 555, restart: false, "service", T0);

        var ready = instance.RequestTransition(ComponentState.Ready, "service", T0.AddSeconds(3.5), "initialized");
        instance.RequestTransition(ComponentState.Degraded, "service", T0.AddSeconds(4), null);
        var recovered = instance.RequestTransition(ComponentState.Ready, "service", T0.AddSeconds(5), null);

        ready!.StartupDuration.Should().BeApproximately(3.5, 0.001);
        recovered!.StartupDuration.Should().BeNull("recovering from degraded is not a start-up");
        NewInstance().RequestTransition(ComponentState.Ready, "service", T0, null)!.StartupDuration
            .Should().BeNull("an instance Tekton never launched has no start-up to measure");
    }

    [Fact]
    public void An_exit_while_stopping_is_stopped_and_otherwise_failed_with_the_code()
    {
        var stopping = NewInstance();
        stopping.Launched(1, 1, false, "service", T0);
        stopping.BeginStopping("service", T0, "stop requested");
        var crashed = NewInstance();
        crashed.Launched(2, 2, false, "service", T0);

        var stopped = stopping.Exited(0, "service", T0.AddSeconds(1));
        var failed = crashed.Exited(137, "service", T0.AddSeconds(1));

        stopped!.NewState.Should().Be(ComponentState.Stopped);
        failed!.NewState.Should().Be(ComponentState.Failed);
        failed.ExitCode.Should().Be(137);
        failed.Reason.Should().Be("exited before ready with code 137");
        crashed.Pid.Should().BeNull();
    }

    [Fact]
    public void The_exit_of_an_instance_Tekton_already_failed_keeps_the_reason_and_records_the_code()
    {
        var instance = NewInstance();
        instance.Launched(1, 1, false, "service", T0);
        instance.Fail("startup timeout: not ready within 2 s", "service", T0.AddSeconds(2));

        instance.Exited(137, "service", T0.AddSeconds(2.1)).Should().BeNull();

        instance.StatusReason.Should().Be("startup timeout: not ready within 2 s");
        instance.ExitCode.Should().Be(137);
    }

    [Fact]
    public void Missed_deadlines_step_down_and_recovery_needs_the_same_cause()
    {
        var instance = NewInstance();
        instance.RequestTransition(ComponentState.Ready, "service", T0, null);

        instance.Missed(ComponentInstance.HeartbeatMissed, "service", T0)!.NewState.Should().Be(ComponentState.Degraded);
        instance.Recovered(ComponentInstance.HealthCheckFailed, "service", T0).Should().BeNull("it is down for its heartbeats, not its health check");
        instance.Missed(ComponentInstance.HeartbeatMissed, "service", T0)!.NewState.Should().Be(ComponentState.Failed);
        instance.Missed(ComponentInstance.HeartbeatMissed, "service", T0).Should().BeNull("failed is the end of the line");

        var recovered = instance.Recovered(ComponentInstance.HeartbeatMissed, "service", T0.AddSeconds(1));

        recovered!.PreviousState.Should().Be(ComponentState.Failed);
        recovered.NewState.Should().Be(ComponentState.Ready);
    }

    [Fact]
    public void A_failed_process_does_not_recover_by_heartbeat()
    {
        var instance = NewInstance();
        instance.Launched(1, 1, false, "service", T0);
        instance.Exited(1, "service", T0);

        instance.Recovered(ComponentInstance.HeartbeatMissed, "service", T0).Should().BeNull();
        instance.Status.Should().Be(ComponentState.Failed);
    }

    private static ComponentInstance NewInstance()
    {
        var component = Component.Register("c", new ComponentDefinition("C", "service", "1.0.0", [], [], "localhost", null, null, "{}", 10, 30), 1, T0);
        return component.AddInstance(Guid.NewGuid(), T0).Instance;
    }
}
