using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace Tekton.Application.Resources;

/// <summary>The retained samples of the last <see cref="Minutes"/> minutes (all that is kept when absent), oldest first.</summary>
public sealed record GetResourceHistory(int? Minutes) : IQuery<ResourceHistory>;

public sealed class GetResourceHistoryValidator : AbstractValidator<GetResourceHistory>
{
    public GetResourceHistoryValidator(IOptions<ResourceOptions> options)
    {
        var kept = options.Value.HistoryMinutes;
        RuleFor(q => q.Minutes).InclusiveBetween(1, kept).When(q => q.Minutes is not null)
            .WithMessage($"minutes must be between 1 and {kept.ToString(System.Globalization.CultureInfo.InvariantCulture)} (the minutes of history kept, Tekton:Resources:HistoryMinutes).");
    }
}

public sealed class GetResourceHistoryHandler(ResourceMonitor monitor, IOptions<ResourceOptions> options)
    : IQueryHandler<GetResourceHistory, ResourceHistory>
{
    public ValueTask<ResourceHistory> Handle(GetResourceHistory query, CancellationToken cancellationToken)
    {
        var minutes = query.Minutes ?? options.Value.HistoryMinutes;
        return ValueTask.FromResult(new ResourceHistory(minutes, monitor.Interval.TotalSeconds, monitor.History(minutes)));
    }
}
