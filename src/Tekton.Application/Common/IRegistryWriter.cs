namespace Tekton.Application.Common;

/// <summary>
/// The one writer of the registry. A change runs on the writer's loop together with whatever other changes
/// are waiting, all of them are committed in one transaction (group commit), the read projection is updated,
/// and only then does <see cref="WriteAsync{T}"/> complete: an acknowledged write has reached the disk.
/// </summary>
public interface IRegistryWriter
{
    /// <summary>
    /// Runs <paramref name="change"/> against the registry and commits it. The change must check its rules
    /// before it changes anything: a <see cref="Domain.Errors.TektonException"/> fails that change alone,
    /// any other exception fails the whole group.
    /// </summary>
    ValueTask<T> WriteAsync<T>(Func<RegistryWrite, T> change, CancellationToken cancellationToken = default);
}
