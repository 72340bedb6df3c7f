using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Components;

namespace Tekton.Application.Components;

/// <summary>Lists registered components in registration order, optionally filtered.</summary>
public sealed record ListComponents(string? Status, string? Type, string? Capability) : IQuery<ComponentList>;

public sealed class ListComponentsValidator : AbstractValidator<ListComponents>
{
    public ListComponentsValidator()
    {
        RuleFor(q => q.Status)
            .MustBeAState()
            .When(q => q.Status is not null);
    }
}

public sealed class ListComponentsHandler(RegistryProjection projection, HeartbeatTable heartbeats)
    : IQueryHandler<ListComponents, ComponentList>
{
    public ValueTask<ComponentList> Handle(ListComponents query, CancellationToken cancellationToken)
    {
        ComponentState? status = query.Status is null ? null : ComponentStates.TryParse(query.Status, out var s) ? s : null;
        var components = new List<ComponentSummary>();
        foreach (var view in projection.Current.InRegistrationOrder)
        {
            if ((status is null || view.Status == status)
                && (query.Type is null || string.Equals(view.ComponentType, query.Type, StringComparison.Ordinal))
                && (query.Capability is null || view.Capabilities.Contains(query.Capability, StringComparer.Ordinal)))
            {
                components.Add(ComponentResponses.Summary(view, heartbeats));
            }
        }

        return ValueTask.FromResult(new ComponentList(components));
    }
}
