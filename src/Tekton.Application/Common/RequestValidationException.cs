using Tekton.Domain.Errors;

namespace Tekton.Application.Common;

/// <summary>A request broke its validation rules; <see cref="Errors"/> maps each snake_case field to its messages.</summary>
public sealed class RequestValidationException(ErrorCode code, IReadOnlyDictionary<string, string[]> errors)
    : TektonException(code, Describe(errors))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    private static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        errors.Count == 1 && errors.First().Value.Length == 1
            ? errors.First().Value[0]
            : $"The request is invalid: {errors.Sum(e => e.Value.Length)} problems in {string.Join(", ", errors.Keys)}.";
}
