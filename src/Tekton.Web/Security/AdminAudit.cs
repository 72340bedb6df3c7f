using Tekton.Application.Security;
using Tekton.Domain.Security;

namespace Tekton.Web.Security;

/// <summary>
/// Records every Admin action (an Administer endpoint that changes something: start, stop, deregister, key and
/// model changes) with its outcome. The answer waits for the entry to be committed, so an action that was
/// answered is in the trail even after a crash.
/// </summary>
public sealed partial class AdminAudit(RequestDelegate next, AuditTrail audit, ILogger<AdminAudit> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredPermission>() is not { Permission: Permission.Administer }
            || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || Caller.From(context.User) is not { } caller)
        {
            await next(context);
            return;
        }

        // Taken now: the exception handler clears the endpoint and route values before an error is answered.
        var action = AuditRecords.ActionOf(context);
        var target = AuditRecords.TargetOf(context);

        // Committed before the answer's first byte leaves, whatever the outcome.
        context.Response.OnStarting(() => RecordAsync(context, caller, action, target));
        await next(context);
    }

    private async Task RecordAsync(HttpContext context, Caller caller, string action, string? target)
    {
        try
        {
            await audit.RecordAsync(AuditRecords.Entry(context, caller, action, target, "allowed", context.Response.StatusCode, null));
        }
        catch (Exception exception)
        {
            LogRecordFailed(exception, context.Request.Path.Value ?? "/", caller.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {Path} by {Actor} in the audit trail failed")]
    private partial void LogRecordFailed(Exception exception, string path, string actor);
}
