using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>The body of <c>PUT /api/tekton/components/{id}/instances/{uuid}/state</c>.</summary>
public sealed record InstanceStateBody
{
    [Description("The state to enter: registered | initializing | ready | degraded | stopping | stopped | failed")]
    [Required]
    public string? State { get; init; }

    [Description("Why, in a few words (at most 256 characters)")]
    public string? Reason { get; init; }
}

/// <summary>A transition the instance reports itself (mark_ready, notify_shutdown), checked against the table of §6.1.</summary>
public sealed record ChangeInstanceState(string ComponentId, Guid InstanceUuid, InstanceStateBody Body) : ICommand<InstanceStateResult>;

public sealed record InstanceStateResult(
    bool Success, string Message, string ComponentId, Guid InstanceUuid, string PreviousState, string NewState);

public sealed class ChangeInstanceStateValidator : AbstractValidator<ChangeInstanceState>
{
    public ChangeInstanceStateValidator()
    {
        RuleFor(c => c.Body.State)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("state is required.")
            .MustBeAState()
            .OverridePropertyName("state");
        RuleFor(c => c.Body.Reason).MaximumLength(256).OverridePropertyName("reason")
            .WithMessage("reason must be at most 256 characters.");
    }
}

public sealed class ChangeInstanceStateHandler(IRegistryWriter writer) : ICommandHandler<ChangeInstanceState, InstanceStateResult>
{
    public ValueTask<InstanceStateResult> Handle(ChangeInstanceState command, CancellationToken cancellationToken)
    {
        ComponentStates.TryParse(command.Body.State, out var requested);
        return writer.WriteAsync(
            write =>
            {
                var component = write.Find(command.ComponentId) ?? throw TektonException.ComponentNotFound(command.ComponentId);
                var instance = component.FindInstance(command.InstanceUuid)
                    ?? throw TektonException.InstanceNotFound(command.ComponentId, command.InstanceUuid);
                var previous = instance.Status;
                var change = instance.RequestTransition(requested, component.ComponentType, write.Now, command.Body.Reason);
                if (change is not null)
                {
                    write.Record(change);
                }

                return new InstanceStateResult(
                    true,
                    change is null ? $"Instance already {previous.ToWire()}" : $"Instance is now {instance.Status.ToWire()}",
                    component.ComponentId,
                    instance.InstanceUuid,
                    previous.ToWire(),
                    instance.Status.ToWire());
            },
            cancellationToken);
    }
}
