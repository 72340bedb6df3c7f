using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Infrastructure.Persistence;

/// <summary>
/// The group-commit writer's own SQLite connection, and the prepared statements that insert a group's new rows on
/// it: the components registered in the group with their instances, and every state change it recorded. EF's change
/// tracking and command batching for those rows cost more than the rest of a registration together; everything
/// else a group changes is still saved by EF, first, in the same transaction.
/// </summary>
/// <remarks>
/// The statements are built from the EF model: its tables, columns, type mappings and value conversions, so a row
/// inserted here is the row EF would insert, and the model and its migrations stay the schema's only source.
/// Used only on the writer's loop.
/// </remarks>
public sealed class SqliteGroupInserts(string connectionString) : IDisposable
{
    private SqliteConnection? _connection;
    private Insert? _components;
    private Insert? _instances;
    private Insert? _stateChanges;

    /// <summary>Puts <paramref name="db"/> on the writer's connection, opened (and the statements prepared) on first use.</summary>
    public void Attach(TektonDbContext db)
    {
        if (_connection is null)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                connection.Open();
                SqlitePragmas.Apply(connection);
                var sql = db.GetService<ISqlGenerationHelper>();
                _components = new Insert(connection, db.Model.FindEntityType(typeof(Component))!, sql);
                _instances = new Insert(connection, db.Model.FindEntityType(typeof(ComponentInstance))!, sql);
                _stateChanges = new Insert(connection, db.Model.FindEntityType(typeof(StateChange))!, sql);
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            _connection = connection;
        }

        db.Database.SetDbConnection(_connection);
    }

    /// <summary>
    /// Inserts the components <paramref name="write"/> added (with their instances as they are now) and the state
    /// changes it recorded, in <paramref name="transaction"/>; each state change gets the id the database assigned.
    /// </summary>
    public void InsertNewRows(RegistryWrite write, SqliteTransaction transaction)
    {
        foreach (var component in write.Added)
        {
            _components!.Execute(component, transaction);
            foreach (var instance in component.Instances)
            {
                _instances!.Execute(instance, transaction);
            }
        }

        foreach (var change in write.StateChanges)
        {
            change.Stored(_stateChanges!.Execute(change, transaction));
        }
    }

    /// <summary>Closes the connection, as after a failed commit; the next group opens a fresh one.</summary>
    public void Reset()
    {
        _connection?.Dispose();
        _connection = null;
        _components = _instances = _stateChanges = null;
    }

    public void Dispose() => Reset();

    /// <summary>One table's prepared INSERT; returns the store-generated key where the table has one.</summary>
    private sealed class Insert
    {
        private readonly SqliteCommand _command;
        private readonly Column[] _columns;
        private readonly bool _returnsKey;

        public Insert(SqliteConnection connection, IEntityType entity, ISqlGenerationHelper sql)
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var generated = entity.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.Never).ToList();
            if (generated.Count > 1 || generated.Any(p => !p.IsPrimaryKey()) || entity.GetComplexProperties().Any()
                || entity.GetProperties().Any(p => p.IsShadowProperty()))
            {
                throw new NotSupportedException($"The prepared insert of {entity.DisplayName()} supports plain columns and one store-generated key only.");
            }

            var written = entity.GetProperties().Except(generated).ToList();
            _columns = [.. written.Select((p, i) => new Column($"@p{i}", p.GetGetter(), p.GetRelationalTypeMapping(), p.IsNullable))];
            _returnsKey = generated.Count == 1;
            _command = connection.CreateCommand();
            _command.CommandText =
                $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", written.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
                $"VALUES ({string.Join(", ", _columns.Select(c => c.Name))})" +
                (_returnsKey ? $" RETURNING {sql.DelimitIdentifier(generated[0].GetColumnName(table)!)}" : string.Empty);
            foreach (var column in _columns)
            {
                _command.Parameters.Add(column.Mapping.CreateParameter(_command, column.Name, null, column.Nullable));
            }

            _command.Prepare();
        }

        public long Execute(object entity, SqliteTransaction transaction)
        {
            _command.Transaction = transaction;
            for (var i = 0; i < _columns.Length; i++)
            {
                // The parameter EF itself would send: the mapping converts the value (times to ticks, states to
                // names, arrays to JSON) and sets its type.
                var column = _columns[i];
                _command.Parameters[i] = (SqliteParameter)column.Mapping.CreateParameter(
                    _command, column.Name, column.Getter.GetClrValueUsingContainingEntity(entity), column.Nullable);
            }

            return _returnsKey ? (long)_command.ExecuteScalar()! : _command.ExecuteNonQuery();
        }

        private sealed record Column(string Name, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable);
    }
}
