using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>The catalog, ordered by id, optionally filtered (every filter given must hold).</summary>
public sealed record ListModels(string? Capability, string? Provider, string? Status) : IQuery<ModelList>;

public sealed class ListModelsValidator : AbstractValidator<ListModels>
{
    public ListModelsValidator() =>
        RuleFor(q => q.Status).Must(s => s is "available" or "unavailable").When(q => q.Status is not null)
            .WithMessage("status must be available or unavailable.");
}

public sealed class ListModelsHandler(ModelCatalog catalog) : IQueryHandler<ListModels, ModelList>
{
    public ValueTask<ModelList> Handle(ListModels query, CancellationToken cancellationToken)
    {
        IEnumerable<Model> models = catalog.Models;
        if (query.Capability is { } capability)
        {
            models = models.Where(m => m.Has(capability));
        }

        if (query.Provider is { } provider)
        {
            models = models.Where(m => string.Equals(m.Provider, provider, StringComparison.Ordinal));
        }

        if (query.Status is { } status)
        {
            models = models.Where(m => ModelWire.Status(m.Status) == status);
        }

        return ValueTask.FromResult(new ModelList([.. models.Select(ModelView.From)]));
    }
}

/// <summary>One model of the catalog; 404 when there is none with that id.</summary>
public sealed record GetModel(string Id) : IQuery<ModelView>;

public sealed class GetModelHandler(ModelCatalog catalog) : IQueryHandler<GetModel, ModelView>
{
    public ValueTask<ModelView> Handle(GetModel query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ModelView.From(catalog.Find(query.Id) ?? throw new NotFoundException($"Model '{query.Id}' is not in the catalog.")));
}
