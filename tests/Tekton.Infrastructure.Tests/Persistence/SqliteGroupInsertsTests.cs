using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Resources;

namespace Tekton.Infrastructure.Tests.Persistence;

/// <summary>The writer inserts a group's new rows itself on SQLite (<see cref="Persistence.SqliteGroupInserts"/>): they must be EF's rows exactly.</summary>
public sealed class SqliteGroupInsertsTests : RegistryHostTest
{
    private static readonly Guid First = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly Guid Second = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    // Not UTC, and finer than a millisecond: what is stored is the UTC ticks.
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 6, 17, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567);

    [Fact]
    public async Task Rows_the_writer_inserts_are_the_rows_EF_inserts_column_for_column()
    {
        var byWriter = await Host.Writer.WriteAsync(write =>
        {
            var (component, changes) = Build(write.NextRegistrationSequence());
            write.Add(component);
            foreach (var instance in component.Instances)
            {
                write.Add(instance);
            }

            foreach (var change in changes)
            {
                write.Record(change);
            }

            return changes;
        });

        var efHost = await RegistryHost.StartAsync();
        try
        {
            await using (var db = efHost.CreateDbContext())
            {
                var (component, changes) = Build(1);
                for (var i = 0; i < changes.Count; i++)
                {
                    changes[i].Sequenced(byWriter[i].Sequence);
                }

                db.Components.Add(component);
                db.StateChanges.AddRange(changes);
                await db.SaveChangesAsync();
                changes.Select(c => c.Id).Should().Equal(byWriter.Select(c => c.Id), "both databases number state changes from 1");
            }

            foreach (var table in new[] { "components", "instances", "state_changes" })
            {
                var written = Rows(Host.DatabasePath, table);
                written.Should().NotBeEmpty();
                written.Should().Equal(Rows(efHost.DatabasePath, table), $"the writer's {table} rows are EF's, value and storage class");
            }
        }
        finally
        {
            await efHost.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(efHost.Directory, recursive: true);
        }
    }

    [Fact]
    public void The_migrated_components_table_is_indexed_by_its_key_alone()
    {
        // Every index is one more b-tree each registration writes; registration_sequence is not queried (the list sorts
        // the snapshot, boot reads every row), so the migrations drop its index.
        using var connection = new SqliteConnection($"Data Source={Host.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'components' ORDER BY name";
        var indexes = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                indexes.Add(reader.GetString(0));
            }
        }

        indexes.Should().Equal(["sqlite_autoindex_components_1"], "the primary key's index is the table's only one");
    }

    [Fact]
    public async Task A_component_removed_and_registered_again_in_one_group_is_stored_once_as_registered_last()
    {
        await Host.Writer.WriteAsync(write => Register(write, "hermes", "1.0.0"));

        await Host.Writer.WriteAsync(write =>
        {
            write.Remove(write.Find("hermes")!);
            Register(write, "hermes", "2.0.0");
            Register(write, "engram", "1.0.0");
            write.Remove(write.Find("engram")!);
            return 0;
        });

        await using var db = Host.CreateDbContext();
        var stored = await db.Components.AsNoTracking().Include(c => c.Instances).SingleAsync();
        stored.ComponentId.Should().Be("hermes");
        stored.Version.Should().Be("2.0.0");
        stored.Instances.Should().ContainSingle();
        (await db.Instances.CountAsync()).Should().Be(1, "the first hermes's instance went with it");
        (await db.StateChanges.CountAsync()).Should().Be(3, "every registration is recorded, engram's too");
        Host.Projection.Current.Find("hermes")!.Version.Should().Be("2.0.0");
        Host.Projection.Current.Find("engram").Should().BeNull();
    }

    [Fact]
    public async Task A_component_changed_after_it_was_added_in_the_same_group_is_stored_as_it_was_at_the_commit()
    {
        await Host.Writer.WriteAsync(write =>
        {
            Register(write, "hermes", "1.0.0");
            var component = write.Find("hermes")!;
            component.Redefine(Definition("1.1.0"), write.Now);
            write.Record(component.Instances[0].BecameReady("service", write.Now, "said so")!);
            return 0;
        });

        await using var db = Host.CreateDbContext();
        var stored = await db.Components.AsNoTracking().Include(c => c.Instances).SingleAsync();
        stored.Version.Should().Be("1.1.0");
        stored.Instances.Single().Status.Should().Be(ComponentState.Ready);
        (await db.StateChanges.OrderBy(c => c.Id).Select(c => c.NewState).ToListAsync())
            .Should().Equal(ComponentState.Registered, ComponentState.Ready);
    }

    /// <summary>A component with every column set, two instances with most of theirs, and the state changes that made them.</summary>
    private static (Component Component, List<StateChange> Changes) Build(long sequence)
    {
        var definition = new ComponentDefinition(
            "Hermes \"messages\" – ü", "service", "1.2.3-beta.1+build.5", ["messaging", "search.v2", "quote\"<&>'ü\u0001"], ["engram", "rhetor_x"],
            "::1", 8080, "/health?deep=1", """{"team":"core","weights":[1,2.5,-3e-7],"nested":{"x":null,"é":"\u00e9"}}""", 2.5, 7.75,
            new LaunchSpec
            {
                Command = "/usr/bin/hermes", Args = ["--port", "8080", "a b"], WorkingDirectory = "/srv/hermes",
                Env = new Dictionary<string, string> { ["MODE"] = "prod", ["QUOTE"] = "\"x\"" }, Restart = RestartPolicy.Always,
                MaxRestarts = 3, RestartWindow = 12.5, StartupTimeout = 9, StopTimeout = 4, Node = "node-1",
            },
            Autostart: true,
            new ResourceRequirements { MinMemoryGb = 1.5, MinDiskGb = 0.25, GpuCount = 1, MinGpuMemoryGb = 8 });
        var component = Component.Register("hermes", definition, sequence, At);
        var (first, registered) = component.AddInstance(First, At);
        var launched = first.Launched(4242, 123_456_789, restart: true, "service", At.AddSeconds(1));
        first.RecordHeartbeat(At.AddSeconds(2), """{"queue":3}""");
        var ready = first.BecameReady("service", At.AddSeconds(3), "health check passed")!;
        var exited = first.Exited(3, "service", At.AddSeconds(4))!;
        var (second, registeredAgain) = component.AddInstance(Second, At.AddSeconds(5));
        var launchedAgain = second.Launched(4343, 987_654_321, restart: false, "service", At.AddSeconds(6));
        return (component, [registered, launched, ready, exited, registeredAgain, launchedAgain]);
    }

    private static int Register(RegistryWrite write, string id, string version)
    {
        var component = Component.Register(id, Definition(version), write.NextRegistrationSequence(), write.Now);
        write.Add(component);
        var (instance, change) = component.AddInstance(Guid.NewGuid(), write.Now);
        write.Add(instance);
        write.Record(change);
        return 0;
    }

    private static ComponentDefinition Definition(string version) => new("Test", "service", version, [], [], "localhost", null, null, "{}", 10, 30);

    /// <summary>Every row of <paramref name="table"/> in rowid order, each column as an SQL literal (which shows its storage class).</summary>
    private static List<string> Rows(string databasePath, string table)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var columns = new List<string>();
        using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }

        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {string.Join(" || ' | ' || ", columns.Select(c => $"'{c}=' || quote(\"{c}\")"))} FROM \"{table}\" ORDER BY rowid";
        using var rows = select.ExecuteReader();
        var result = new List<string>();
        while (rows.Read())
        {
            result.Add(rows.GetString(0));
        }

        return result;
    }
}
