using Tekton.Domain.Errors;

namespace Tekton.Application.Common;

/// <summary>
/// The registry could not commit a write; nothing of it was stored. Answered with 503 (1000), or with 507 (1007)
/// when the database has no room left (api.md decision 55).
/// </summary>
public sealed class RegistryWriteFailedException : TektonException
{
    public const string StorageFullMessage =
        "The database is full: nothing of this change was stored. Tekton accepts writes again as soon as the disk has room.";

    public RegistryWriteFailedException(string message, Exception? cause = null)
        : this(ErrorCode.GeneralError, message, cause)
    {
    }

    private RegistryWriteFailedException(ErrorCode code, string message, Exception? cause)
        : base(code, message) => Cause = cause;

    /// <summary>What made the commit fail (kept for the log and to recognise a full disk; never sent to the client).</summary>
    public Exception? Cause { get; }

    /// <summary>The write failed because the disk or the database's size limit is full.</summary>
    public bool StorageFull => Code == ErrorCode.ResourceConstraintViolated;

    public static RegistryWriteFailedException Full(Exception cause) => new(ErrorCode.ResourceConstraintViolated, StorageFullMessage, cause);
}
