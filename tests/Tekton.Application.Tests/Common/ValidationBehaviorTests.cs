using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Errors;

namespace Tekton.Application.Tests.Common;

public sealed class ValidationBehaviorTests
{
    [Fact]
    public async Task A_request_that_breaks_a_rule_never_reaches_its_handler()
    {
        var behavior = new ValidationBehavior<Ping, int>([new PingValidator()]);
        var reached = false;

        var failing = () => behavior.Handle(new Ping(""), (_, _) => { reached = true; return ValueTask.FromResult(1); }, CancellationToken.None).AsTask();

        (await failing.Should().ThrowAsync<RequestValidationException>()).Which.Code.Should().Be(ErrorCode.GeneralError);
        reached.Should().BeFalse();
        (await behavior.Handle(new Ping("x"), (_, _) => ValueTask.FromResult(1), CancellationToken.None)).Should().Be(1);
    }

    [Fact]
    public async Task Asynchronous_rules_are_still_run_when_validation_is_synchronous_otherwise()
    {
        var behavior = new ValidationBehavior<AsyncPing, int>([new AsyncPingValidator()]);

        var failing = () => behavior.Handle(new AsyncPing("taken"), (_, _) => ValueTask.FromResult(1), CancellationToken.None).AsTask();

        // "Name" or "name": the property name resolver is global, and set (snake case) when the application's services are added.
        (await failing.Should().ThrowAsync<RequestValidationException>()).Which.Errors.Keys
            .Should().ContainSingle(key => string.Equals(key, "name", StringComparison.OrdinalIgnoreCase));
        (await behavior.Handle(new AsyncPing("free"), (_, _) => ValueTask.FromResult(1), CancellationToken.None)).Should().Be(1);
    }

    public sealed record Ping(string Name) : ICommand<int>;

    public sealed record AsyncPing(string Name) : ICommand<int>;

    private sealed class PingValidator : AbstractValidator<Ping>
    {
        public PingValidator() => RuleFor(p => p.Name).NotEmpty();
    }

    private sealed class AsyncPingValidator : AbstractValidator<AsyncPing>
    {
        public AsyncPingValidator()
        {
            RuleFor(p => p.Name).NotEmpty();
            RuleFor(p => p.Name).MustAsync(async (name, cancellationToken) =>
            {
                await Task.Yield();
                return name != "taken";
            });
        }
    }
}
