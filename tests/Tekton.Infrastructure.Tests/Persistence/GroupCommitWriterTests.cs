using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;
using Microsoft.Extensions.DependencyInjection;

namespace Tekton.Infrastructure.Tests.Persistence;

public sealed class GroupCommitWriterTests : RegistryHostTest
{
    [Fact]
    public async Task Concurrent_writes_are_committed_together_and_all_reach_the_disk()
    {
        var groups = new ConcurrentBag<int>();
        using var listener = ListenToGroupSizes(groups, Host.Services.GetRequiredService<IMeterFactory>());

        var writes = Enumerable.Range(0, 300).Select(i => Host.Writer.WriteAsync(write => Register(write, $"c{i}")).AsTask()).ToArray();
        await Task.WhenAll(writes);

        groups.Sum().Should().Be(300, "every write was committed exactly once");
        groups.Max().Should().BeGreaterThan(1, "writes waiting together share one commit");
        await using var db = Host.CreateDbContext();
        (await db.Components.CountAsync()).Should().Be(300);
        (await db.Instances.CountAsync()).Should().Be(300);
        (await db.StateChanges.CountAsync()).Should().Be(300);
        Host.Projection.Current.Count.Should().Be(300);
    }

    [Fact]
    public async Task A_broken_rule_fails_only_its_own_write()
    {
        await Host.Writer.WriteAsync(write => Register(write, "hermes"));

        var good = Host.Writer.WriteAsync(write => Register(write, "engram")).AsTask();
        var bad = Host.Writer.WriteAsync(write =>
        {
            write.Find("hermes")!.Redefine(Definition("memory"), write.Now);
            return 0;
        }).AsTask();
        var alsoGood = Host.Writer.WriteAsync(write => Register(write, "rhetor")).AsTask();

        await good;
        await alsoGood;
        (await bad.Invoking(t => t).Should().ThrowAsync<TektonException>()).Which.Code.Should().Be(ErrorCode.ComponentAlreadyExists);
        Host.Projection.Current.InRegistrationOrder.Select(c => c.ComponentId).Should().Equal("hermes", "engram", "rhetor");
        Host.Projection.Current.Find("hermes")!.ComponentType.Should().Be("service");
    }

    [Fact]
    public async Task An_unexpected_failure_abandons_the_group_and_reloads_what_the_disk_has()
    {
        await Host.Writer.WriteAsync(write => Register(write, "hermes"));

        var failing = Host.Writer.WriteAsync<int>(write =>
        {
            write.Find("hermes")!.Redefine(Definition("service", version: "9.9.9"), write.Now);
            throw new InvalidOperationException("bug in a change");
        }).AsTask();

        await failing.Invoking(t => t).Should().ThrowAsync<RegistryWriteFailedException>();
        var version = await Host.Writer.WriteAsync(write => write.Find("hermes")!.Version);
        version.Should().Be("1.0.0", "the half-made change was never committed, and memory was reloaded from the disk");
        Host.Projection.Current.Find("hermes")!.Version.Should().Be("1.0.0");
    }

    [Fact]
    public async Task A_commit_the_database_refuses_stores_nothing_and_the_writer_carries_on()
    {
        await Host.Writer.WriteAsync(write => Register(write, "hermes"));

        var refused = Host.Writer.WriteAsync(write =>
        {
            Register(write, "engram");
            // The database refuses this row (NOT NULL), so the whole group's commit fails.
            write.Record(new StateChange(null!, "service", null, null, ComponentState.Registered, write.Now, null));
            return 0;
        }).AsTask();

        await refused.Invoking(t => t).Should().ThrowAsync<RegistryWriteFailedException>();
        Host.Projection.Current.Find("engram").Should().BeNull();
        (await Host.Writer.WriteAsync(write => write.Find("engram") is null)).Should().BeTrue("memory was reloaded from the disk");
        await Host.Writer.WriteAsync(write => Register(write, "rhetor"));
        await using var db = Host.CreateDbContext();
        (await db.Components.Select(c => c.ComponentId).OrderBy(id => id).ToListAsync()).Should().Equal("hermes", "rhetor");
    }

    [Fact]
    public async Task Writes_in_flight_at_shutdown_are_finished_and_the_next_start_reads_them()
    {
        var writes = Enumerable.Range(0, 50).Select(i => Host.Writer.WriteAsync(write => Register(write, $"late{i}")).AsTask()).ToArray();
        await Host.StopAsync();
        await Task.WhenAll(writes);

        await using var restarted = await RegistryHost.StartAsync(Host.Directory);

        restarted.Projection.Current.Count.Should().Be(50);
        restarted.Projection.Current.Find("late49")!.Instances.Should().ContainSingle();
    }

    [Fact]
    public async Task The_writer_keeps_its_connection_and_closes_it_when_it_stops()
    {
        for (var i = 0; i < 3; i++)
        {
            await Host.Writer.WriteAsync(write => Register(write, $"c{i}"));
        }

        var inserts = Host.Services.GetRequiredService<Tekton.Infrastructure.Persistence.SqliteGroupInserts>();
        inserts.IsPrepared.Should().BeTrue("the connection and its statements outlive each group");
        await Host.StopAsync();

        inserts.IsPrepared.Should().BeFalse();
        // With every connection closed, SQLite checkpoints the log into the database and removes it; an open
        // connection would keep it.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Exists(Host.DatabasePath + "-wal").Should().BeFalse();
    }

    [Fact]
    public async Task Instances_beyond_the_kept_history_are_deleted_from_the_disk()
    {
        await Host.Writer.WriteAsync(write => Register(write, "flaky"));
        for (var i = 0; i < 8; i++)
        {
            await Host.Writer.WriteAsync(write =>
            {
                var component = write.Find("flaky")!;
                var current = component.CurrentInstance!;
                write.Record(current.RequestTransition(ComponentState.Failed, component.ComponentType, write.Now, "crash")!);
                var (instance, change) = component.AddInstance(Guid.NewGuid(), write.Now);
                write.Add(instance);
                write.Record(change);
                return 0;
            });
        }

        await using var db = Host.CreateDbContext();
        var rows = await db.Instances.Where(i => i.ComponentId == "flaky").ToListAsync();
        rows.Should().HaveCount(1 + Component.EndedInstancesKept);
        rows.Count(i => i.Status == ComponentState.Registered).Should().Be(1);
        Host.Projection.Current.Find("flaky")!.Instances.Should().HaveCount(1 + Component.EndedInstancesKept);
    }

    [Fact]
    public async Task Connections_use_WAL_full_sync_and_foreign_keys()
    {
        await using var db = Host.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();

        Pragma(connection, "journal_mode").Should().Be("wal");
        Pragma(connection, "synchronous").Should().Be("2", "2 is FULL");
        Pragma(connection, "foreign_keys").Should().Be("1");
    }

    [Fact]
    public async Task Boot_applies_every_committed_migration()
    {
        await using var db = Host.CreateDbContext();

        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        (await db.Database.GetAppliedMigrationsAsync()).Should().Equal(db.Database.GetMigrations());
        File.Exists(Host.DatabasePath).Should().BeTrue("a relative Data Source is resolved against the content root");
    }

    private static int Register(RegistryWrite write, string id)
    {
        var component = Component.Register(id, Definition("service"), write.NextRegistrationSequence(), write.Now);
        write.Add(component);
        var (instance, change) = component.AddInstance(Guid.NewGuid(), write.Now);
        write.Add(instance);
        write.Record(change);
        return 0;
    }

    private static ComponentDefinition Definition(string type, string version = "1.0.0") =>
        new("Test", type, version, [], [], "localhost", null, null, "{}", 10, 30);

    private static string Pragma(System.Data.Common.DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static MeterListener ListenToGroupSizes(ConcurrentBag<int> groups, IMeterFactory meters)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Other hosts in this test process have meters of the same name: count this host's only.
                if (instrument is { Name: "registry.commit.group_size", Meter.Name: "Tekton" } && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => groups.Add(value));
        listener.Start();
        return listener;
    }
}
