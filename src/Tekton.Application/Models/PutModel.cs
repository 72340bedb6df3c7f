using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>
/// Adds or replaces a model through the API (design §9). <see cref="PathId"/> is the id of <c>PUT /models/{id}</c>;
/// the body's id, if given there, must be the same.
/// </summary>
public sealed record PutModel(string? PathId, ModelBody Body) : ICommand<PutModelResult>
{
    /// <summary>The body with the path's id filled in.</summary>
    public ModelBody Effective => Body with { Id = Body.Id ?? PathId };
}

public sealed record PutModelResult(ModelView Model, bool Created);

public sealed class PutModelValidator : AbstractValidator<PutModel>
{
    public PutModelValidator()
    {
        RuleFor(p => p.Effective).SetValidator(new ModelBodyValidator()).OverridePropertyName(string.Empty);
        RuleFor(p => p.Body.Id).Equal(p => p.PathId).When(p => p.PathId is not null && p.Body.Id is not null)
            .OverridePropertyName("id").WithMessage("id in the body must be the id in the path.");
    }
}

public sealed class PutModelHandler(ModelStore store, ModelCatalog catalog) : ICommandHandler<PutModel, PutModelResult>
{
    public async ValueTask<PutModelResult> Handle(PutModel command, CancellationToken cancellationToken)
    {
        var model = command.Effective.ToModel(ModelSource.Api);
        var created = await store.PutAsync(model, cancellationToken);
        return new PutModelResult(ModelView.From(catalog.Find(model.Id)!), created);
    }
}

/// <summary>Removes a model added through the API; models from other sources are removed where they come from.</summary>
public sealed record DeleteModel(string Id) : ICommand<OperationResult>;

public sealed class DeleteModelHandler(ModelStore store, ModelCatalog catalog) : ICommandHandler<DeleteModel, OperationResult>
{
    public async ValueTask<OperationResult> Handle(DeleteModel command, CancellationToken cancellationToken)
    {
        if (await store.DeleteAsync(command.Id, cancellationToken))
        {
            return new OperationResult(true, "Model deleted");
        }

        throw catalog.SourceOf(command.Id) switch
        {
            ModelSource.Configuration => new RequestValidationException(Domain.Errors.ErrorCode.GeneralError, new Dictionary<string, string[]>
            {
                ["id"] = [$"Model '{command.Id}' comes from the configuration (Tekton:Models); remove it there."],
            }),
            ModelSource.Component => new RequestValidationException(Domain.Errors.ErrorCode.GeneralError, new Dictionary<string, string[]>
            {
                ["id"] = [$"Model '{command.Id}' is served by component '{catalog.Find(command.Id)?.ComponentId}'; change that component's metadata.models."],
            }),
            ModelSource.Ollama => new RequestValidationException(Domain.Errors.ErrorCode.GeneralError, new Dictionary<string, string[]>
            {
                ["id"] = [$"Model '{command.Id}' was discovered from Ollama; remove it there (ollama rm)."],
            }),
            _ => new NotFoundException($"Model '{command.Id}' is not in the catalog."),
        };
    }
}
