using FluentValidation;
using FluentValidation.Results;
using Mediator;
using Tekton.Domain.Errors;

namespace Tekton.Application.Common;

/// <summary>Runs every FluentValidation validator of a request before its handler; the one place requests are validated.</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    // Set once a validator of this message type turns out to have asynchronous rules.
    private static volatile bool _asynchronous;

    private readonly IValidator<TMessage>[] _validators = [.. validators];

    public async ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (_validators.Length > 0)
        {
            var failures = Validate(message) ?? await ValidateAsync(message, cancellationToken);
            if (failures.Count > 0)
            {
                var errors = failures
                    .GroupBy(f => f.PropertyName, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
                var code = message is ITektonRequest request ? request.ValidationErrorCode : ErrorCode.GeneralError;
                throw new RequestValidationException(code, errors);
            }
        }

        return await next(message, cancellationToken);
    }

    /// <summary>
    /// Validates synchronously while no rule of this message type is asynchronous (none is today): FluentValidation's
    /// asynchronous path costs about as much again as the rules themselves, on every request. Null when a rule was.
    /// </summary>
    private List<ValidationFailure>? Validate(TMessage message)
    {
        if (_asynchronous)
        {
            return null;
        }

        try
        {
            var context = new ValidationContext<TMessage>(message);
            var failures = new List<ValidationFailure>();
            foreach (var validator in _validators)
            {
                failures.AddRange(validator.Validate(context).Errors);
            }

            return failures;
        }
        catch (AsyncValidatorInvokedSynchronouslyException)
        {
            _asynchronous = true;
            return null;
        }
    }

    private async Task<List<ValidationFailure>> ValidateAsync(TMessage message, CancellationToken cancellationToken)
    {
        var context = new ValidationContext<TMessage>(message);
        var failures = new List<ValidationFailure>();
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(context, cancellationToken);
            failures.AddRange(result.Errors);
        }

        return failures;
    }
}
