using Tekton.Domain.Components;

namespace Tekton.Domain.Tests.Components;

public sealed class RestartDecisionTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(RestartPolicy.No, 1, false)]
    [InlineData(RestartPolicy.No, 0, false)]
    [InlineData(RestartPolicy.OnFailure, 1, true)]
    [InlineData(RestartPolicy.OnFailure, 0, false)]
    [InlineData(RestartPolicy.OnFailure, null, true)]
    [InlineData(RestartPolicy.Always, 0, true)]
    [InlineData(RestartPolicy.Always, 2, true)]
    public void The_policy_decides_whether_an_ended_process_is_restarted(RestartPolicy policy, int? exitCode, bool restart)
    {
        var decision = RestartDecision.Decide(Launch(policy), exitCode, [], TimeSpan.FromSeconds(3), Now);

        decision.Restart.Should().Be(restart);
    }

    [Fact]
    public void The_back_off_doubles_from_one_second_and_is_capped_at_sixty()
    {
        var delays = new List<double>();
        var restarts = new List<DateTimeOffset>();
        var at = Now;
        for (var i = 0; i < 9; i++)
        {
            var decision = RestartDecision.Decide(Launch(RestartPolicy.Always, maxRestarts: 100, window: 100_000), 1, restarts, TimeSpan.FromSeconds(1), at);
            delays.Add(decision.Delay.TotalSeconds);
            at += decision.Delay;
            restarts.Add(at);
        }

        delays.Should().Equal(1, 2, 4, 8, 16, 32, 60, 60, 60);
    }

    [Fact]
    public void Five_minutes_up_starts_the_back_off_from_one_second_again()
    {
        var restarts = new[] { Now.AddSeconds(-40), Now.AddSeconds(-20), Now.AddSeconds(-10) };

        var quick = RestartDecision.Decide(Launch(RestartPolicy.Always, maxRestarts: 100, window: 100_000), 1, restarts, TimeSpan.FromSeconds(5), Now);
        var afterLongRun = RestartDecision.Decide(Launch(RestartPolicy.Always, maxRestarts: 100, window: 100_000), 1, restarts, TimeSpan.FromMinutes(6), Now);

        quick.Delay.Should().Be(TimeSpan.FromSeconds(8));
        afterLongRun.Delay.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void More_than_max_restarts_within_the_window_gives_up_and_older_ones_do_not_count()
    {
        var launch = Launch(RestartPolicy.OnFailure, maxRestarts: 3, window: 60);
        var inWindow = new[] { Now.AddSeconds(-50), Now.AddSeconds(-30), Now.AddSeconds(-10) };
        var partlyOld = new[] { Now.AddSeconds(-120), Now.AddSeconds(-30), Now.AddSeconds(-10) };

        var giveUp = RestartDecision.Decide(launch, 1, inWindow, TimeSpan.FromSeconds(1), Now);
        var goOn = RestartDecision.Decide(launch, 1, partlyOld, TimeSpan.FromSeconds(1), Now);

        giveUp.Restart.Should().BeFalse();
        giveUp.Reason.Should().Contain("more than 3 restarts within 60 s");
        goOn.Restart.Should().BeTrue();
    }

    private static LaunchSpec Launch(RestartPolicy policy, int maxRestarts = 5, double window = 60) =>
        new() { Command = "/bin/true", Restart = policy, MaxRestarts = maxRestarts, RestartWindow = window };
}
