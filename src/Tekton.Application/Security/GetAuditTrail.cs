using FluentValidation;
using Mediator;

namespace Tekton.Application.Security;

/// <summary>The audit trail, newest first, a page at a time (<c>before_id</c> continues from <c>next_before_id</c>).</summary>
public sealed record GetAuditTrail(int? Limit, long? BeforeId, string? Outcome) : IQuery<AuditList>;

public sealed class GetAuditTrailValidator : AbstractValidator<GetAuditTrail>
{
    public GetAuditTrailValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000).When(q => q.Limit is not null).WithMessage("limit must be between 1 and 1000.");
        RuleFor(q => q.BeforeId).GreaterThan(0).When(q => q.BeforeId is not null).WithMessage("before_id must be more than 0.");
        RuleFor(q => q.Outcome).Must(o => o is "allowed" or "denied").When(q => q.Outcome is not null).WithMessage("outcome must be allowed or denied.");
    }
}

public sealed class GetAuditTrailHandler(AuditTrail trail) : IQueryHandler<GetAuditTrail, AuditList>
{
    public async ValueTask<AuditList> Handle(GetAuditTrail query, CancellationToken cancellationToken)
    {
        var limit = query.Limit ?? 100;
        var entries = await trail.ReadAsync(limit, query.BeforeId, query.Outcome, cancellationToken);
        return new AuditList([.. entries.Select(AuditEntryView.From)], entries.Count == limit ? entries[^1].Id : null);
    }
}
