using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Infrastructure.Persistence;

/// <summary>
/// Commits a group on SQLite: what the group's EF context tracks is saved first, then the group's new rows (the
/// components registered in it with their instances, and every state change it recorded) are inserted with prepared
/// statements, all in one transaction on the writer's connection. EF's change tracking and command batching for
/// those rows cost more than the rest of a registration together.
/// </summary>
/// <remarks>
/// The statements are built from the EF model: its tables, columns, type mappings and value conversions, so a row
/// inserted here is the row EF would insert, and the model and its migrations stay the schema's only source. The
/// writer keeps its context, and the context its connection, from group to group: the connection is opened and the
/// transactions begun through the context, so its interceptors (<see cref="SqlitePragmas"/>) see them as before, and
/// the statements are prepared once per connection. Opening a connection, setting its pragmas and preparing the
/// statements for every group had cost a tenth of a registration. Used only on the writer's loop.
/// </remarks>
public sealed class SqliteGroupInserts
{
    private Insert[]? _inserts;
    private SqliteConnection? _preparedOn;
    private SqliteCommand[] _commands = [];

    /// <summary>True while statements are prepared on a connection (from the first commit until a failed one or the writer's end).</summary>
    public bool IsPrepared => _preparedOn is not null;

    /// <summary>
    /// Commits the group in one transaction; throws, with nothing of it stored, when any part fails (the caller then
    /// disposes the context, and with it the connection).
    /// </summary>
    public void Commit(RegistryWrite write, TektonDbContext db)
    {
        var inserts = _inserts ??= Build(db);
        try
        {
            // Opened once through the context, it stays open until the context is disposed.
            if (db.Database.GetDbConnection().State != System.Data.ConnectionState.Open)
            {
                db.Database.OpenConnection();
            }

            var connection = (SqliteConnection)db.Database.GetDbConnection();
            if (!ReferenceEquals(connection, _preparedOn))
            {
                Close();
                _commands = [.. inserts.Select(insert => insert.Prepare(connection))];
                _preparedOn = connection;
            }

            using var transaction = db.Database.BeginTransaction();
            db.SaveChanges();
            var (components, instances, stateChanges) = (_commands[0], _commands[1], _commands[2]);
            foreach (var command in _commands)
            {
                command.Transaction = (SqliteTransaction)transaction.GetDbTransaction();
            }

            foreach (var component in write.Added)
            {
                inserts[0].Execute(components, component);
                foreach (var instance in component.Instances)
                {
                    inserts[1].Execute(instances, instance);
                }
            }

            foreach (var change in write.StateChanges)
            {
                change.Stored(inserts[2].Execute(stateChanges, change));
            }

            transaction.Commit();
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Disposes the prepared statements (the next commit prepares them again); called when the writer's loop ends.</summary>
    public void Close()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _commands = [];
        _preparedOn = null;
    }

    private static Insert[] Build(TektonDbContext db)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        return [.. new[] { typeof(Component), typeof(ComponentInstance), typeof(StateChange) }.Select(type => new Insert(db.Model.FindEntityType(type)!, sql))];
    }

    /// <summary>One table's INSERT, with the store-generated key returned where the table has one.</summary>
    private sealed class Insert
    {
        private readonly string _text;
        private readonly Column[] _columns;
        private readonly bool _returnsKey;

        public Insert(IEntityType entity, ISqlGenerationHelper sql)
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var generated = entity.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.Never).ToList();
            if (generated.Count > 1 || generated.Any(p => !p.IsPrimaryKey()) || entity.GetComplexProperties().Any()
                || entity.GetProperties().Any(p => p.IsShadowProperty()
                    || ((Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType).IsEnum && p.GetRelationalTypeMapping().Converter is null)))
            {
                throw new NotSupportedException($"The prepared insert of {entity.DisplayName()} supports plain columns (enums with a converter) and one store-generated key only.");
            }

            var written = entity.GetProperties().Except(generated).ToList();
            _columns = [.. written.Select((p, i) => new Column($"@p{i}", p.GetGetter(), p.GetRelationalTypeMapping(), p.IsNullable))];
            _returnsKey = generated.Count == 1;
            _text =
                $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", written.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
                $"VALUES ({string.Join(", ", _columns.Select(c => c.Name))})" +
                (_returnsKey ? $" RETURNING {sql.DelimitIdentifier(generated[0].GetColumnName(table)!)}" : string.Empty);
        }

        /// <summary>The statement, prepared once for the connection, with its parameters made by the EF mappings (their types set).</summary>
        public SqliteCommand Prepare(SqliteConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = _text;
            foreach (var column in _columns)
            {
                command.Parameters.Add(column.Mapping.CreateParameter(command, column.Name, null, column.Nullable));
            }

            command.Prepare();
            return command;
        }

        public long Execute(SqliteCommand command, object entity)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                // The value EF itself would send: its mapping's converter turns times into ticks, states into names,
                // arrays into JSON.
                var column = _columns[i];
                var value = column.Getter.GetClrValueUsingContainingEntity(entity);
                command.Parameters[i].Value = (column.Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
            }

            return _returnsKey ? (long)command.ExecuteScalar()! : command.ExecuteNonQuery();
        }

        private sealed record Column(string Name, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable);
    }
}
