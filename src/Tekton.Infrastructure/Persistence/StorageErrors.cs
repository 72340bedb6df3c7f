using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tekton.Infrastructure.Persistence;

/// <summary>Recognises a database that has no room left, whichever provider and however deeply wrapped.</summary>
public static class StorageErrors
{
    private const int SqliteFull = 13;
    private const string PostgresDiskFull = "53100";

    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions says the disk or the database is full.</summary>
    public static bool IsFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteFull } or PostgresException { SqlState: PostgresDiskFull })
            {
                return true;
            }
        }

        return false;
    }
}
