using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Tekton.Web.Tests.Support;

/// <summary>Reads a Tekton database file directly, on a connection of its own, as an operator's sqlite3 would.</summary>
public static class SqliteFile
{
    /// <summary>The first column of every row the statement answers, as text.</summary>
    public static List<string> Query(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return rows;
    }

    /// <summary><c>PRAGMA integrity_check</c>: "ok", or the problems it found, one a line.</summary>
    public static string IntegrityCheck(string database) => string.Join('\n', Query(database, "PRAGMA integrity_check"));
}
