using Tekton.Application.Lifecycle;

namespace Tekton.Application.Tests.Lifecycle;

public sealed class HeartbeatTableTests
{
    private static readonly DateTimeOffset T0 = new(2025, 4, 30, 15, 0, 0, TimeSpan.Zero);

    private readonly HeartbeatTable _table = new();

    [Fact]
    public void An_instance_without_heartbeats_has_no_latest()
    {
        _table.Latest(Guid.NewGuid()).Should().BeNull();
        _table.Count.Should().Be(0);
        _table.TakeUnflushed().Should().BeEmpty();
    }

    [Fact]
    public void Record_keeps_the_heartbeat_as_received()
    {
        var uuid = Guid.NewGuid();
        var heartbeat = new HeartbeatRecord("hermes", uuid, T0, new Dictionary<string, string> { ["database"] = "healthy" });

        _table.Record(heartbeat);

        _table.Latest(uuid).Should().BeSameAs(heartbeat);
        _table.Count.Should().Be(1);
    }

    [Fact]
    public void A_newer_heartbeat_replaces_the_older_one()
    {
        var uuid = Guid.NewGuid();
        _table.Record(Beat(uuid, T0));
        var newer = Beat(uuid, T0.AddSeconds(10));

        _table.Record(newer);

        _table.Latest(uuid).Should().BeSameAs(newer);
        _table.Count.Should().Be(1);
    }

    [Fact]
    public void An_older_heartbeat_arriving_late_does_not_replace_the_newer_one()
    {
        var uuid = Guid.NewGuid();
        var newer = Beat(uuid, T0.AddSeconds(10));
        _table.Record(newer);

        _table.Record(Beat(uuid, T0));

        _table.Latest(uuid).Should().BeSameAs(newer);
    }

    [Fact]
    public void A_heartbeat_heard_well_after_the_previous_one_wins_even_when_the_wall_clock_went_back()
    {
        var clock = new SteppingClock();
        var table = new HeartbeatTable(clock);
        var uuid = Guid.NewGuid();
        table.Record(Beat(uuid, T0.AddHours(2)));
        clock.Elapse(TimeSpan.FromSeconds(10));
        var afterTheJump = Beat(uuid, T0);

        table.Record(afterTheJump);

        table.Latest(uuid).Should().BeSameAs(afterTheJump);
        table.SinceLast(uuid, null).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Ages_are_measured_on_the_monotonic_clock_not_on_the_wall_clock()
    {
        var clock = new SteppingClock();
        var table = new HeartbeatTable(clock);
        var uuid = Guid.NewGuid();
        table.Record(Beat(uuid, clock.GetUtcNow()));

        clock.Jump(TimeSpan.FromHours(2));
        clock.Elapse(TimeSpan.FromSeconds(3));

        table.SinceLast(uuid, null).Should().Be(TimeSpan.FromSeconds(3));
        table.SinceLast(Guid.NewGuid(), null).Should().BeNull("it never sent a heartbeat");
    }

    [Fact]
    public void A_heartbeat_known_only_from_the_database_is_aged_from_when_it_was_first_asked_about()
    {
        var clock = new SteppingClock();
        var table = new HeartbeatTable(clock);
        var uuid = Guid.NewGuid();

        table.SinceLast(uuid, clock.GetUtcNow().AddSeconds(-20)).Should().Be(TimeSpan.FromSeconds(20));
        clock.Jump(TimeSpan.FromHours(2));
        clock.Elapse(TimeSpan.FromSeconds(5));

        table.SinceLast(uuid, clock.GetUtcNow().AddSeconds(-20)).Should().Be(TimeSpan.FromSeconds(25), "the stored time is placed once, then only the monotonic clock counts");
    }

    [Fact]
    public void TakeUnflushed_returns_each_instance_heard_since_the_last_take_once_with_its_latest_heartbeat()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        _table.Record(Beat(a, T0));
        _table.Record(Beat(a, T0.AddSeconds(10)));
        _table.Record(Beat(b, T0.AddSeconds(5)));

        var taken = _table.TakeUnflushed();

        taken.Select(h => (h.InstanceUuid, h.Timestamp)).Should().BeEquivalentTo(
            [(a, T0.AddSeconds(10)), (b, T0.AddSeconds(5))]);
        _table.TakeUnflushed().Should().BeEmpty("everything was taken already");
        _table.Latest(a).Should().NotBeNull("taking for the flush does not forget the latest heartbeat");
    }

    [Fact]
    public void A_heartbeat_after_a_take_is_taken_again()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        _table.Record(Beat(a, T0));
        _table.Record(Beat(b, T0));
        _table.TakeUnflushed();

        _table.Record(Beat(a, T0.AddSeconds(10)));

        _table.TakeUnflushed().Should().ContainSingle().Which.Timestamp.Should().Be(T0.AddSeconds(10));
    }

    [Fact]
    public void Forget_removes_the_instances_and_their_unflushed_heartbeats()
    {
        var forgotten = Guid.NewGuid();
        var kept = Guid.NewGuid();
        _table.Record(Beat(forgotten, T0));
        _table.Record(Beat(kept, T0));

        _table.Forget([forgotten, Guid.NewGuid()]);

        _table.Latest(forgotten).Should().BeNull();
        _table.Latest(kept).Should().NotBeNull();
        _table.Count.Should().Be(1);
        _table.TakeUnflushed().Should().ContainSingle().Which.InstanceUuid.Should().Be(kept);
    }

    [Fact]
    public void Concurrent_heartbeats_leave_the_newest_of_each_instance()
    {
        var uuids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToArray();

        Parallel.For(0, 10_000, i => _table.Record(Beat(uuids[i % uuids.Length], T0.AddSeconds(i))));

        _table.Count.Should().Be(uuids.Length);
        for (var u = 0; u < uuids.Length; u++)
        {
            _table.Latest(uuids[u])!.Timestamp.Should().Be(T0.AddSeconds(10_000 - uuids.Length + u));
        }

        _table.TakeUnflushed().Should().HaveCount(uuids.Length);
    }

    private static HeartbeatRecord Beat(Guid uuid, DateTimeOffset at) => new("hermes", uuid, at, null);

    /// <summary>Wall and monotonic clocks that the test moves separately.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _wall = T0;
        private long _elapsed = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _wall;

        public override long GetTimestamp() => _elapsed;

        public void Jump(TimeSpan by) => _wall += by;

        public void Elapse(TimeSpan by)
        {
            _wall += by;
            _elapsed += by.Ticks;
        }
    }
}
