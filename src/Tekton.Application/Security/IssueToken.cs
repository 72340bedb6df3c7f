using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Mediator;
using Tekton.Domain.Errors;
using Tekton.Domain.Security;

namespace Tekton.Application.Security;

/// <summary>Exchanges an API key for a short-lived JWT (design §11).</summary>
public sealed record IssueToken : ICommand<TokenResult>
{
    [Description("An API key (tk_...)")]
    [Required]
    public string? ApiKey { get; init; }
}

public sealed class IssueTokenValidator : AbstractValidator<IssueToken>
{
    public IssueTokenValidator() =>
        RuleFor(t => t.ApiKey).NotEmpty().WithMessage("api_key is required.").MaximumLength(256).WithMessage("api_key is at most 256 characters.");
}

public sealed class IssueTokenHandler(ApiKeys keys, IAccessTokens tokens) : ICommandHandler<IssueToken, TokenResult>
{
    public ValueTask<TokenResult> Handle(IssueToken command, CancellationToken cancellationToken)
    {
        var key = keys.Authenticate(command.ApiKey!) ?? throw new UnauthenticatedException("The API key is not valid (unknown or revoked).");
        var token = tokens.Issue(key);
        return ValueTask.FromResult(new TokenResult(token.Token, "Bearer", token.ExpiresIn, key.Role.WireName(), key.ComponentId));
    }
}

/// <summary>No valid credentials: 401 with code 1008 and <c>WWW-Authenticate</c>.</summary>
public sealed class UnauthenticatedException(string message) : TektonException(ErrorCode.AuthorizationError, message);
