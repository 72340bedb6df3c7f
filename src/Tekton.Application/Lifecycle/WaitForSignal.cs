using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>Long-poll for a control signal (design §6.2): the signal, or null when <see cref="Wait"/> seconds pass first.</summary>
public sealed record WaitForSignal(string ComponentId, Guid InstanceUuid, double? Wait) : IQuery<ControlSignal?>;

public sealed class WaitForSignalValidator : AbstractValidator<WaitForSignal>
{
    public WaitForSignalValidator() =>
        RuleFor(q => q.Wait).InclusiveBetween(0, 60).When(q => q.Wait is not null)
            .OverridePropertyName("wait").WithMessage("wait must be between 0 and 60 seconds.");
}

public sealed class WaitForSignalHandler(RegistryProjection projection, SignalBoard signals, TimeProvider clock)
    : IQueryHandler<WaitForSignal, ControlSignal?>
{
    public async ValueTask<ControlSignal?> Handle(WaitForSignal query, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(query.ComponentId) ?? throw TektonException.ComponentNotFound(query.ComponentId);
        _ = view.FindInstance(query.InstanceUuid) ?? throw TektonException.InstanceNotFound(query.ComponentId, query.InstanceUuid);
        return await signals.WaitAsync(query.InstanceUuid, TimeSpan.FromSeconds(query.Wait ?? 30), clock, cancellationToken);
    }
}
