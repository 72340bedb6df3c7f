using System.Buffers;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SQLitePCL;
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
/// the statements are prepared once per connection, as SQLite's own statements bound by position (through
/// <c>SqliteCommand</c> each value cost a binder object and each row a data reader). Opening a connection, setting its pragmas and preparing the
/// statements for every group had cost a tenth of a registration. Used only on the writer's loop.
/// </remarks>
public sealed class SqliteGroupInserts
{
    private Insert[]? _inserts;
    private sqlite3? _preparedOn;

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
            if (!ReferenceEquals(connection.Handle, _preparedOn))
            {
                Close();
                foreach (var insert in inserts)
                {
                    insert.Prepare(connection.Handle!);
                }

                _preparedOn = connection.Handle;
            }

            // The statements run on the connection, so inside the transaction begun on it.
            using var transaction = db.Database.BeginTransaction();
            db.SaveChanges();
            foreach (var component in write.Added)
            {
                inserts[0].Execute(component);
                foreach (var instance in component.Instances)
                {
                    inserts[1].Execute(instance);
                }
            }

            foreach (var change in write.StateChanges)
            {
                change.Stored(inserts[2].Execute(change));
            }

            transaction.Commit();
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>
    /// Finalizes the prepared statements (the next commit prepares them again). Called before the connection is
    /// closed: when a commit fails, and when the writer's loop ends.
    /// </summary>
    public void Close()
    {
        foreach (var insert in _inserts ?? [])
        {
            insert.Release();
        }

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
        private sqlite3? _db;
        private sqlite3_stmt? _statement;
        private byte[] _text8 = new byte[256];
        private readonly ArrayBufferWriter<byte> _json = new(256);
        private Utf8JsonWriter? _jsonWriter;

        /// <summary>The provider types <see cref="Bind"/> binds; a model with another fails at the first commit, whatever the values.</summary>
        private static readonly HashSet<Type> Bindable = [typeof(string), typeof(long), typeof(int), typeof(bool), typeof(double), typeof(byte[]), typeof(Guid)];

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
            if (written.FirstOrDefault(p => !Bindable.Contains(ProviderType(p.GetRelationalTypeMapping()))) is { } unbindable)
            {
                throw new NotSupportedException($"The prepared insert of {entity.DisplayName()} cannot bind {unbindable.Name} ({ProviderType(unbindable.GetRelationalTypeMapping()).Name}).");
            }

            _columns = [.. written.Select(p => new Column(p.GetGetter(), p.GetRelationalTypeMapping().Converter, IsPlainJsonArray(p), TypedBinder(p)))];
            _returnsKey = generated.Count == 1;
            _text =
                $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", written.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
                $"VALUES ({string.Join(", ", _columns.Select(_ => "?"))})" +
                (_returnsKey ? $" RETURNING {sql.DelimitIdentifier(generated[0].GetColumnName(table)!)}" : string.Empty);
        }

        /// <summary>
        /// A primitive collection of plain strings or integers, stored as EF's JSON array of them. EF's own conversion
        /// costs a reflection look-up, a stream and a JSON writer per value; <see cref="BindJson"/> writes the same
        /// text with one kept writer of the same options.
        /// </summary>
        private static bool IsPlainJsonArray(IProperty property) =>
            property.GetRelationalTypeMapping().Converter is CollectionToJsonStringConverter<string> or CollectionToJsonStringConverter<long>
            && property.GetElementType() is { ClrType: var element } elementType && (element == typeof(string) || element == typeof(long))
            && elementType.GetTypeMapping().Converter is null;

        private static Type ProviderType(RelationalTypeMapping mapping)
        {
            var type = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
            return Nullable.GetUnderlyingType(type) ?? type;
        }

        /// <summary>Prepares the statement on the connection, once; it is used until <see cref="Release"/>.</summary>
        public void Prepare(sqlite3 db)
        {
            var rc = raw.sqlite3_prepare_v2(db, _text, out var statement);
            SqliteException.ThrowExceptionForRC(rc, db);
            _db = db;
            _statement = statement;
        }

        public void Release()
        {
            _statement?.Dispose();
            _statement = null;
            _db = null;
        }

        /// <summary>Inserts the entity's row; answers the store-generated key where the table has one.</summary>
        public long Execute(object entity)
        {
            var statement = _statement ?? throw new InvalidOperationException("The insert is not prepared.");
            var rc = raw.SQLITE_OK;
            long key = 0;
            try
            {
                for (var i = 0; i < _columns.Length && rc == raw.SQLITE_OK; i++)
                {
                    // The value EF itself would send: its mapping's converter turns times into ticks, states into
                    // names, arrays into JSON.
                    var column = _columns[i];
                    if (column.Typed is { } typed)
                    {
                        rc = typed(entity, this, statement, i + 1);
                        continue;
                    }

                    var value = column.Getter.GetClrValueUsingContainingEntity(entity);
                    rc = column.PlainJsonArray && value is not null ? BindJson(statement, i + 1, value)
                        : Bind(statement, i + 1, column.Converter is { } converter ? converter.ConvertToProvider(value) : value);
                }

                if (rc == raw.SQLITE_OK)
                {
                    rc = raw.sqlite3_step(statement);
                    if (rc == raw.SQLITE_ROW)
                    {
                        key = raw.sqlite3_column_int64(statement, 0);
                        rc = raw.sqlite3_step(statement);
                    }
                }

                if (rc != raw.SQLITE_DONE)
                {
                    // The message is the connection's, read before the reset below.
                    SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, _db);
                }
            }
            finally
            {
                raw.sqlite3_reset(statement);
            }

            return _returnsKey ? key : 1;
        }

        /// <summary>
        /// Binds a provider value as Microsoft.Data.Sqlite binds it for EF (integers, booleans as 0 and 1, reals,
        /// text as UTF-8, blobs, uuids as upper-case text); the statement copies it.
        /// </summary>
        private int Bind(sqlite3_stmt statement, int index, object? value)
        {
            switch (value)
            {
                case null or DBNull:
                    return raw.sqlite3_bind_null(statement, index);
                case string text:
                    return BindText(statement, index, text);
                case long number:
                    return BindValue(statement, index, number);
                case int number:
                    return BindValue(statement, index, number);
                case bool flag:
                    return BindValue(statement, index, flag);
                case double real:
                    return BindValue(statement, index, real);
                case byte[] bytes:
                    return BindValue(statement, index, bytes);
                case Guid uuid:
                    return BindValue(statement, index, uuid);
                default:
                    throw new NotSupportedException($"The prepared insert cannot bind a {value.GetType().Name}.");
            }
        }

        /// <summary>
        /// Strings or integers as the JSON array EF writes for a primitive collection: its <c>JsonValueReaderWriter</c>
        /// writes them with a <see cref="Utf8JsonWriter"/> of the default options, null elements as null.
        /// </summary>
        private int BindJson(sqlite3_stmt statement, int index, object values)
        {
            _json.ResetWrittenCount();
            if (_jsonWriter is null)
            {
                _jsonWriter = new Utf8JsonWriter(_json);
            }
            else
            {
                _jsonWriter.Reset(_json);
            }

            _jsonWriter.WriteStartArray();
            if (values is IEnumerable<long> numbers)
            {
                foreach (var number in numbers)
                {
                    _jsonWriter.WriteNumberValue(number);
                }
            }
            else
            {
                foreach (var text in (IEnumerable<string?>)values)
                {
                    if (text is null)
                    {
                        _jsonWriter.WriteNullValue();
                    }
                    else
                    {
                        _jsonWriter.WriteStringValue(text);
                    }
                }
            }

            _jsonWriter.WriteEndArray();
            _jsonWriter.Flush();
            return raw.sqlite3_bind_text(statement, index, _json.WrittenSpan);
        }

        /// <summary>
        /// Binds one column of an entity: reads the property, converts it with the converter's own expression and binds
        /// the provider value with the typed method for its type, compiled once, so that no value is boxed (boxing the
        /// times, numbers and uuids of every row was a tenth of a registration's allocations). Null for a column this
        /// cannot compile (a JSON array, a property without a readable member, a provider type without a typed method):
        /// that column goes through EF's getter and <see cref="Bind"/>.
        /// </summary>
        private static Func<object, Insert, sqlite3_stmt, int, int>? TypedBinder(IProperty property)
        {
            var converter = property.GetRelationalTypeMapping().Converter;
            MemberInfo? member = property.PropertyInfo is { GetMethod: not null } readable ? readable : property.FieldInfo;
            if (IsPlainJsonArray(property) || member is null)
            {
                return null;
            }

            var entity = Expression.Parameter(typeof(object), "entity");
            var insert = Expression.Parameter(typeof(Insert), "insert");
            var statement = Expression.Parameter(typeof(sqlite3_stmt), "statement");
            var index = Expression.Parameter(typeof(int), "index");
            var value = Expression.MakeMemberAccess(Expression.Convert(entity, member.DeclaringType!), member);
            var body = converter is null ? BindTyped(value, insert, statement, index) : BindConverted(value, converter, insert, statement, index);
            return body is null ? null : Expression.Lambda<Func<object, Insert, sqlite3_stmt, int, int>>(body, entity, insert, statement, index).Compile();
        }

        /// <summary>As EF converts: a null is stored as null without the converter, any other value through it.</summary>
        private static Expression? BindConverted(Expression value, ValueConverter converter, ParameterExpression insert, ParameterExpression statement, ParameterExpression index)
        {
            var convert = converter.ConvertToProviderExpression;
            var from = convert.Parameters[0].Type;
            var underlying = Nullable.GetUnderlyingType(value.Type);
            Expression input = underlying is not null && from == underlying ? Expression.Property(value, nameof(Nullable<int>.Value)) : value;
            if (input.Type != from)
            {
                return null;
            }

            if (BindTyped(ReplacingExpressionVisitor.Replace(convert.Parameters[0], input, convert.Body), insert, statement, index) is not { } bind)
            {
                return null;
            }

            var bindNull = Expression.Call(BindNullMethod, statement, index);
            return underlying is not null && input != value ? Expression.Condition(Expression.Property(value, nameof(Nullable<int>.HasValue)), bind, bindNull)
                : !value.Type.IsValueType ? Expression.Condition(Expression.Equal(value, Expression.Constant(null, value.Type)), bindNull, bind)
                : bind;
        }

        /// <summary>A provider value bound by the typed method for its type (a nullable one as null or its value).</summary>
        private static Expression? BindTyped(Expression value, ParameterExpression insert, ParameterExpression statement, ParameterExpression index)
        {
            if (Nullable.GetUnderlyingType(value.Type) is not null)
            {
                return BindTyped(Expression.Property(value, nameof(Nullable<int>.Value)), insert, statement, index) is { } bind
                    ? Expression.Condition(Expression.Property(value, nameof(Nullable<int>.HasValue)), bind, Expression.Call(BindNullMethod, statement, index))
                    : null;
            }

            if (value.Type == typeof(string))
            {
                return Expression.Call(insert, typeof(Insert).GetMethod(nameof(BindText), BindingFlags.NonPublic | BindingFlags.Instance)!, statement, index, value);
            }

            var method = typeof(Insert).GetMethod(nameof(BindValue), BindingFlags.NonPublic | BindingFlags.Static, [typeof(sqlite3_stmt), typeof(int), value.Type]);
            return method is null ? null : Expression.Call(method, statement, index, value);
        }

        private static readonly MethodInfo BindNullMethod = typeof(raw).GetMethod(nameof(raw.sqlite3_bind_null), [typeof(sqlite3_stmt), typeof(int)])!;

        private int BindText(sqlite3_stmt statement, int index, string? text)
        {
            if (text is null)
            {
                return raw.sqlite3_bind_null(statement, index);
            }

            var length = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (_text8.Length < length)
            {
                _text8 = new byte[Math.Max(length, 2 * _text8.Length)];
            }

            return raw.sqlite3_bind_text(statement, index, _text8.AsSpan(0, Encoding.UTF8.GetBytes(text, _text8)));
        }

        private static int BindValue(sqlite3_stmt statement, int index, long number) => raw.sqlite3_bind_int64(statement, index, number);

        private static int BindValue(sqlite3_stmt statement, int index, int number) => raw.sqlite3_bind_int64(statement, index, number);

        private static int BindValue(sqlite3_stmt statement, int index, bool flag) => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0);

        private static int BindValue(sqlite3_stmt statement, int index, double real) => raw.sqlite3_bind_double(statement, index, real);

        private static int BindValue(sqlite3_stmt statement, int index, byte[]? bytes) =>
            bytes is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_blob(statement, index, bytes);

        private static int BindValue(sqlite3_stmt statement, int index, Guid uuid)
        {
            Span<byte> uuid8 = stackalloc byte[36];
            uuid.TryFormat(uuid8, out _);
            Ascii.ToUpperInPlace(uuid8, out _);
            return raw.sqlite3_bind_text(statement, index, uuid8);
        }

        private sealed record Column(IClrPropertyGetter Getter, ValueConverter? Converter, bool PlainJsonArray, Func<object, Insert, sqlite3_stmt, int, int>? Typed);
    }
}
