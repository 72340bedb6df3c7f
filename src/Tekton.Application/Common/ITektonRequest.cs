using Tekton.Domain.Errors;

namespace Tekton.Application.Common;

/// <summary>A request whose validation failures carry a code other than the general 1000.</summary>
public interface ITektonRequest
{
    /// <summary>The Tekton code of a validation failure of this request (design §4).</summary>
    ErrorCode ValidationErrorCode { get; }
}
