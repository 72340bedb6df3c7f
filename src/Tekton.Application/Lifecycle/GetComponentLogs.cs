using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>The last lines of a supervised instance's stdout and stderr (design §6.3).</summary>
public sealed record GetComponentLogs(string ComponentId, int? Tail, Guid? InstanceUuid) : IQuery<ComponentLogs>;

public sealed record ComponentLogs(string ComponentId, Guid? InstanceUuid, IReadOnlyList<string> Lines);

public sealed class GetComponentLogsValidator : AbstractValidator<GetComponentLogs>
{
    public const int MaxTail = 10_000;

    public GetComponentLogsValidator() =>
        RuleFor(q => q.Tail).InclusiveBetween(1, MaxTail).When(q => q.Tail is not null)
            .OverridePropertyName("tail").WithMessage($"tail must be between 1 and {MaxTail}.");
}

public sealed class GetComponentLogsHandler(RegistryProjection projection, IInstanceLogs logs) : IQueryHandler<GetComponentLogs, ComponentLogs>
{
    public ValueTask<ComponentLogs> Handle(GetComponentLogs query, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(query.ComponentId) ?? throw TektonException.ComponentNotFound(query.ComponentId);
        var instance = query.InstanceUuid is { } uuid
            ? view.FindInstance(uuid) ?? throw TektonException.InstanceNotFound(query.ComponentId, uuid)
            : view.Current;
        var lines = instance is null ? [] : logs.Tail(view.ComponentId, instance.InstanceUuid, query.Tail ?? 200);
        return ValueTask.FromResult(new ComponentLogs(view.ComponentId, instance?.InstanceUuid, lines));
    }
}
