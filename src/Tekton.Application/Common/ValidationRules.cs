using FluentValidation;
using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>Rules that several requests share.</summary>
public static class ValidationRules
{
    private static readonly string StateNames = string.Join(", ", Enum.GetValues<ComponentState>().Select(s => s.ToWire()));

    /// <summary>The value is the wire name of a lifecycle state; the message lists them all.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeAState<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(s => ComponentStates.TryParse(s, out _))
            .WithMessage((_, value) => $"'{value}' is not a state; use one of {StateNames}.");
}
