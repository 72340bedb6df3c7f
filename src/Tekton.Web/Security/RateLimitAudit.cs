using System.Collections.Concurrent;
using Tekton.Application.Security;

namespace Tekton.Web.Security;

/// <summary>
/// Records rate-limit refusals (429) in the audit trail sparingly: the first refusal of a credential (or, without
/// one, of a client address) in each <see cref="Window"/> is recorded and the rest of that window's are not, so an
/// operator sees that a key is being throttled without a flood of requests becoming a flood of audit writes.
/// </summary>
public sealed class RateLimitAudit(AuditTrail audit, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>How many throttled credentials and addresses are remembered at once; past it, refusals go unrecorded until entries age out.</summary>
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _recorded = new(StringComparer.Ordinal);

    /// <summary>A request of <paramref name="partition"/> was refused: recorded when it is the partition's first in the window.</summary>
    public void Refused(HttpContext context, string partition, string detail)
    {
        var now = clock.GetUtcNow();
        if (!TryClaim(partition, now))
        {
            return;
        }

        _ = audit.RecordAsync(AuditRecords.Denied(context, Caller.From(context.User), StatusCodes.Status429TooManyRequests, detail));
    }

    /// <summary>True for exactly one caller per partition and window, however many refusals race.</summary>
    private bool TryClaim(string partition, DateTimeOffset now)
    {
        if (_recorded.TryGetValue(partition, out var last))
        {
            return now - last >= Window && _recorded.TryUpdate(partition, now, last);
        }

        if (_recorded.Count >= MaxTracked)
        {
            foreach (var (key, at) in _recorded)
            {
                if (now - at >= Window)
                {
                    _recorded.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, at));
                }
            }

            if (_recorded.Count >= MaxTracked)
            {
                return false;
            }
        }

        return _recorded.TryAdd(partition, now);
    }
}
