using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Security;

namespace Tekton.Application.Security;

/// <summary>Creates an API key (design §11); the answer holds the secret, shown this once.</summary>
public sealed record CreateApiKey : ICommand<CreatedApiKey>
{
    [Description("What the key is for, 1-128 characters")]
    [Required]
    public string? Name { get; init; }

    [Description("admin, component, monitor or user")]
    [Required]
    public string? Role { get; init; }

    [Description("For the component role (required there, refused otherwise): the component id the key may act as")]
    public string? ComponentId { get; init; }
}

public sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKey>
{
    public CreateApiKeyValidator()
    {
        RuleFor(c => c.Name).NotEmpty().WithMessage("name is required.")
            .MaximumLength(128).WithMessage("name must be at most 128 characters.")
            .Must(n => n is null || !n.Any(char.IsControl)).WithMessage("name must not hold control characters.")
            .Must(n => n is null || !n.StartsWith(ApiKeys.LaunchKeyPrefix, StringComparison.Ordinal))
            .WithMessage($"names starting with '{ApiKeys.LaunchKeyPrefix}' are kept for the keys Tekton gives the processes it launches.");
        RuleFor(c => c.Role).Must(r => Roles.TryParse(r, out _))
            .WithMessage("role must be one of admin, component, monitor, user.");
        RuleFor(c => c.ComponentId).NotEmpty().When(c => c.Role == Role.Component.WireName())
            .WithMessage("component_id is required for the component role: the id the key may act as.");
        RuleFor(c => c.ComponentId).Must(id => id!.Length <= 64 && Wire.ComponentId().IsMatch(id))
            .When(c => !string.IsNullOrEmpty(c.ComponentId) && c.Role == Role.Component.WireName())
            .WithMessage($"component_id must be 1-64 characters matching {Wire.ComponentIdPattern}.");
        RuleFor(c => c.ComponentId).Null().When(c => c.Role != Role.Component.WireName())
            .WithMessage("component_id is only for the component role.");
    }
}

public sealed class CreateApiKeyHandler(ApiKeys keys) : ICommandHandler<CreateApiKey, CreatedApiKey>
{
    public async ValueTask<CreatedApiKey> Handle(CreateApiKey command, CancellationToken cancellationToken)
    {
        Roles.TryParse(command.Role, out var role);
        var (key, secret) = await keys.CreateAsync(command.Name!, role, command.ComponentId, null, cancellationToken);
        return new CreatedApiKey(key.Id, key.Name, key.Role.WireName(), key.ComponentId, secret, key.CreatedAt);
    }
}

public sealed record ListApiKeys : IQuery<ApiKeyList>;

public sealed class ListApiKeysHandler(ApiKeys keys) : IQueryHandler<ListApiKeys, ApiKeyList>
{
    public ValueTask<ApiKeyList> Handle(ListApiKeys query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ApiKeyList([.. keys.List().Select(ApiKeyView.From)]));
}

/// <summary>Revokes a key: it, and every token issued for it, stop working at once.</summary>
public sealed record DeleteApiKey(string Id) : ICommand<OperationResult>;

public sealed class DeleteApiKeyHandler(ApiKeys keys) : ICommandHandler<DeleteApiKey, OperationResult>
{
    public async ValueTask<OperationResult> Handle(DeleteApiKey command, CancellationToken cancellationToken) =>
        await keys.DeleteAsync(command.Id, cancellationToken)
            ? new OperationResult(true, "API key revoked")
            : throw new NotFoundException($"There is no API key '{command.Id}'.");
}
