using FluentAssertions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Infrastructure.Tests.Persistence;

/// <summary>The SQLite migrations against the model, and the upgrade of a database made by an earlier version.</summary>
public sealed class SqliteMigrationsTests : IDisposable
{
    private const string BeforeRowidStateChanges = "20261207120241_DropRegistrationSequenceIndex";

    private readonly string _directory = Directory.CreateTempSubdirectory("tekton-migrations-").FullName;

    [Fact]
    public void The_migrations_describe_the_model()
    {
        using var db = Open();

        db.Database.HasPendingModelChanges().Should().BeFalse("every change to the model comes with its migration");
    }

    [Fact]
    public async Task State_changes_lose_autoincrement_and_keep_their_rows_and_ids()
    {
        await using var db = Open();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(BeforeRowidStateChanges);
        Execute(db, """
            INSERT INTO state_changes (id, component_id, component_type, instance_uuid, previous_state, new_state, timestamp, reason, sequence)
            VALUES (7, 'memory', 'memory', NULL, NULL, 'registered', 1, 'Registered', 3),
                   (9, 'memory', 'memory', NULL, 'registered', 'ready', 2, NULL, 4);
            """);
        TableSql(db, "state_changes").Should().Contain("AUTOINCREMENT");

        await migrator.MigrateAsync();

        TableSql(db, "state_changes").Should().NotContain("AUTOINCREMENT");
        Scalar(db, "SELECT count(*) FROM sqlite_sequence WHERE name = 'state_changes'").Should().Be(0L);
        Scalar(db, "SELECT group_concat(id || ':' || new_state || ':' || sequence, ',') FROM (SELECT * FROM state_changes ORDER BY id)")
            .Should().Be("7:registered:3,9:ready:4");
        Indexes(db, "state_changes").Should().BeEquivalentTo("IX_state_changes_component_id_id", "IX_state_changes_sequence");
        Scalar(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ef_old_%'").Should().Be(0L);
        Execute(db, "INSERT INTO state_changes (component_id, component_type, timestamp, sequence) VALUES ('memory', 'memory', 3, 5)");
        Scalar(db, "SELECT max(id) FROM state_changes").Should().Be(10L, "a new id follows the largest");
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();

        // And back: the earlier version's table, rows and ids included.
        await migrator.MigrateAsync(BeforeRowidStateChanges);
        TableSql(db, "state_changes").Should().Contain("AUTOINCREMENT");
        Scalar(db, "SELECT group_concat(id, ',') FROM (SELECT id FROM state_changes ORDER BY id)").Should().Be("7,9,10");
        Indexes(db, "state_changes").Should().BeEquivalentTo("IX_state_changes_component_id_id", "IX_state_changes_sequence");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private TektonDbContext Open() =>
        new(new DbContextOptionsBuilder<TektonDbContext>().UseSqlite($"Data Source={Path.Combine(_directory, "tekton.db")}").Options);

    private static void Execute(TektonDbContext db, string sql) => db.Database.ExecuteSqlRaw(sql);

    private static object? Scalar(TektonDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            connection.Open();
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static string TableSql(TektonDbContext db, string table) =>
        (string)Scalar(db, $"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'")!;

    private static List<string> Indexes(TektonDbContext db, string table)
    {
        var connection = db.Database.GetDbConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' AND sql IS NOT NULL";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
