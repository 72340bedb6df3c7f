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
public sealed class SqliteGroupInserts(IDbContextFactory<TektonDbContext> contexts, string connectionString) : IDisposable
{
    private SqliteConnection? _connection;
    private Insert? _components;
    private Insert? _instances;
    private Insert? _stateChanges;

    /// <summary>Puts <paramref name="db"/> on the writer's connection, so that what it saves joins the group's transaction.</summary>
    public void Attach(TektonDbContext db) => db.Database.SetDbConnection(Connection());

    /// <summary>
    /// Commits a group in one transaction: first what <paramref name="db"/> (if the group opened one) tracks, then the
    /// new rows of <paramref name="write"/>. Throws, with nothing stored, when any of it fails.
    /// </summary>
    public void Commit(RegistryWrite write, TektonDbContext? db)
    {
        using var transaction = Connection().BeginTransaction();
        if (db is not null)
        {
            db.Database.UseTransaction(transaction);
            db.SaveChanges();
        }

        InsertNewRows(write, transaction);
        transaction.Commit();
    }

    /// <summary>The writer's connection, opened with the durability pragmas (and the statements prepared) on first use.</summary>
    private SqliteConnection Connection()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            SqlitePragmas.Apply(connection);
            using var db = contexts.CreateDbContext();
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

        return _connection = connection;
    }

    /// <summary>
    /// Inserts the components <paramref name="write"/> added (with their instances as they are now) and the state
    /// changes it recorded, in <paramref name="transaction"/>; each state change gets the id the database assigned.
    /// </summary>
    private void InsertNewRows(RegistryWrite write, SqliteTransaction transaction)
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
                || entity.GetProperties().Any(p => p.IsShadowProperty()
                    || ((Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType).IsEnum && p.GetRelationalTypeMapping().Converter is null)))
            {
                throw new NotSupportedException($"The prepared insert of {entity.DisplayName()} supports plain columns (enums with a converter) and one store-generated key only.");
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
                // The value EF itself would send: its mapping's converter turns times into ticks, states into names,
                // arrays into JSON (the parameter's type was set by the mapping when it was made).
                var column = _columns[i];
                var value = column.Getter.GetClrValueUsingContainingEntity(entity);
                _command.Parameters[i].Value = (column.Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
            }

            return _returnsKey ? (long)_command.ExecuteScalar()! : _command.ExecuteNonQuery();
        }

        private sealed record Column(string Name, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable);
    }
}
