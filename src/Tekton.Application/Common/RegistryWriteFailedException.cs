using Tekton.Domain.Errors;

namespace Tekton.Application.Common;

/// <summary>The registry could not commit a write (for example a full disk); nothing of it was stored. Answered with 503.</summary>
public sealed class RegistryWriteFailedException(string message) : TektonException(ErrorCode.GeneralError, message);
