using Microsoft.Extensions.Logging.Abstractions;
using Tekton.Application.Common;

namespace Tekton.Application.Tests.Common;

public sealed class PeriodicServiceTests
{
    [Fact]
    public async Task A_round_that_throws_is_logged_and_the_next_round_still_runs()
    {
        using var service = new FailingOnce();

        await service.StartAsync(CancellationToken.None);
        var ranAgain = await Task.WhenAny(service.SecondRound, Task.Delay(TimeSpan.FromSeconds(10))) == service.SecondRound;
        await service.StopAsync(CancellationToken.None);

        ranAgain.Should().BeTrue("a failed write (a full disk) must not end the background work");
        service.ExecuteTask!.IsFaulted.Should().BeFalse("an unhandled exception there would stop the host");
    }

    private sealed class FailingOnce() : PeriodicService(TimeProvider.System, NullLogger.Instance)
    {
        private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _rounds;

        public Task SecondRound => _second.Task;

        protected override TimeSpan Period => TimeSpan.FromMilliseconds(20);

        protected override Task TickAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _rounds) == 1)
            {
                throw new RegistryWriteFailedException("The database is full.");
            }

            _second.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
