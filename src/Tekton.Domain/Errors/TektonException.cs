namespace Tekton.Domain.Errors;

/// <summary>A rule of Tekton was broken; carries the Tekton error code and, optionally, details for the client.</summary>
public class TektonException(ErrorCode code, string message, IReadOnlyDictionary<string, object?>? details = null)
    : Exception(message)
{
    public ErrorCode Code { get; } = code;

    /// <summary>Extra members written into the problem response (for example the cycle that blocks a start).</summary>
    public IReadOnlyDictionary<string, object?> Details { get; } = details ?? new Dictionary<string, object?>();

    public static TektonException ComponentNotFound(string componentId) =>
        new(ErrorCode.ComponentNotFound, $"Component '{componentId}' is not registered.");

    public static TektonException InstanceNotFound(string componentId, Guid instanceUuid) =>
        new(ErrorCode.ComponentNotFound, $"Component '{componentId}' has no instance '{instanceUuid}'.");
}
