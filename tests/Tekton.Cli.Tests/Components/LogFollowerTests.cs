using Tekton.Cli.Components;

namespace Tekton.Cli.Tests.Components;

public sealed class LogFollowerTests
{
    private static readonly Guid Instance = Guid.NewGuid();

    [Fact]
    public void The_first_window_is_new_as_a_whole()
    {
        new LogFollower().Next(Instance, ["a", "b"]).Should().Equal("a", "b");
    }

    [Fact]
    public void While_the_log_fits_the_window_only_the_lines_after_the_previous_window_are_new_even_when_repeated()
    {
        var follower = new LogFollower();
        follower.Next(Instance, ["tick", "tick"]);

        follower.Next(Instance, ["tick", "tick", "tick"]).Should().Equal("tick");
        follower.Next(Instance, ["tick", "tick", "tick"]).Should().BeEmpty();
    }

    [Fact]
    public void Once_the_window_slides_the_lines_after_the_overlap_are_new()
    {
        var follower = new LogFollower();
        follower.Next(Instance, ["1", "2", "3"]);

        follower.Next(Instance, ["3", "4", "5"]).Should().Equal("4", "5");
    }

    [Fact]
    public void A_window_without_overlap_is_new_as_a_whole()
    {
        var follower = new LogFollower();
        follower.Next(Instance, ["1", "2"]);

        follower.Next(Instance, ["7", "8"]).Should().Equal("7", "8");
    }

    [Fact]
    public void The_window_of_another_instance_is_new_as_a_whole()
    {
        var follower = new LogFollower();
        follower.Next(Instance, ["started", "ready"]);

        follower.Next(Guid.NewGuid(), ["started", "ready"]).Should().Equal("started", "ready");
    }
}
