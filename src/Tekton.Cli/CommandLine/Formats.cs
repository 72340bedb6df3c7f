using System.Globalization;

namespace Tekton.Cli.CommandLine;

/// <summary>How values read in the CLI's human output.</summary>
internal static class Formats
{
    /// <summary>How long ago <paramref name="then"/> was: <c>4s ago</c>, <c>3m ago</c>, <c>2h ago</c>, <c>5d ago</c>; <c>-</c> for never.</summary>
    public static string Age(DateTimeOffset? then, DateTimeOffset now)
    {
        if (then is not { } time)
        {
            return "-";
        }

        var age = now - time;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds}s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m ago"
            : age.TotalHours < 24 ? $"{(int)age.TotalHours}h ago"
            : $"{(int)age.TotalDays}d ago";
    }

    /// <summary><c>host:port</c>, the host alone without a port, <c>-</c> without either.</summary>
    public static string Address(string? host, int? port) => (host, port) switch
    {
        ({ Length: > 0 }, { } p) => $"{host}:{p.ToString(CultureInfo.InvariantCulture)}",
        ({ Length: > 0 }, null) => host,
        (_, { } p) => $":{p.ToString(CultureInfo.InvariantCulture)}",
        _ => "-",
    };

    /// <summary>A time in UTC to the second, as the API writes it: <c>2026-11-24T20:32:09Z</c>; <c>-</c> for none.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>A time in UTC to the millisecond, for event lines.</summary>
    public static string PreciseTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A number without trailing zeros, in the invariant culture.</summary>
    public static string Number(double? value, string unit = "") =>
        value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) + unit : "-";
}
