namespace Tekton.Application.Common;

/// <summary>The reference's plain answer to an action: <c>{"success": true, "message": "..."}</c>.</summary>
public sealed record OperationResult(bool Success, string Message);
