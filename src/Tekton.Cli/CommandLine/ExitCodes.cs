using System.Net;

namespace Tekton.Cli.CommandLine;

/// <summary>The exit codes of <c>tekton</c>, one per class of error (docs/cli.md has the table).</summary>
internal static class ExitCodes
{
    /// <summary>It worked.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected failure: a fault of Tekton (500) or of the CLI.</summary>
    public const int Unexpected = 1;

    /// <summary>Bad arguments, an unreadable file, invalid JSON, or a request Tekton refused as malformed (400, code 1000).</summary>
    public const int Usage = 2;

    /// <summary>No such component or route (1001, 1009, or another 404).</summary>
    public const int NotFound = 3;

    /// <summary>Tekton refused the operation (1002, 1003, 1004, 1005, 1011, 1012).</summary>
    public const int Refused = 4;

    /// <summary>Missing, wrong or insufficient credentials (401, 403, 1008).</summary>
    public const int Unauthorized = 5;

    /// <summary>Tekton cannot be reached (connection refused, unknown host).</summary>
    public const int Unreachable = 6;

    /// <summary>Tekton timed out (1006, 504), or Tekton did not answer in time.</summary>
    public const int Timeout = 7;

    /// <summary>A limit or an unavailable resource (1007, 1010, 429, 503).</summary>
    public const int Unavailable = 8;

    /// <summary>Interrupted by Ctrl+C or SIGTERM before it finished (watch and logs --follow end with 0 instead).</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code of an error answer: by its Tekton code first, then by its HTTP status.</summary>
    public static int ForApiError(HttpStatusCode status, int code) => code switch
    {
        1001 or 1009 => NotFound,
        1002 or 1003 or 1004 or 1005 or 1011 or 1012 => Refused,
        1008 => Unauthorized,
        1006 => Timeout,
        1007 or 1010 => Unavailable,
        _ => status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Unauthorized,
            HttpStatusCode.NotFound => NotFound,
            HttpStatusCode.Conflict => Refused,
            HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => Timeout,
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestEntityTooLarge => Unavailable,
            HttpStatusCode.BadRequest => Usage,
            _ => Unexpected,
        },
    };
}
