using System.CommandLine;
using System.Threading.Channels;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary>
/// <c>tekton components start ID [--wait]</c>. With <c>--wait</c> it shows the start-up live: it subscribes to
/// the state events of the components the start involves before it starts anything, so no change is missed,
/// then waits for Tekton's answer and for the events that lead up to it.
/// </summary>
internal static class StartComponentCommand
{
    // Tekton answers a waited start once the component is ready; the socket may deliver the last events a moment
    // later. Events come in order, so the target's own last event means every earlier one has been shown.
    private static readonly TimeSpan EventsAfterSuccess = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EventsAfterFailure = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The component to start" };
        var wait = new Option<bool>("--wait") { Description = "Wait until it is ready, showing each component the start involves as its state changes" };
        var dependencyTimeout = SecondsOption.Create(
            "--dependency-timeout", "Seconds (0-3600) to wait for each dependency that has no launch spec (default: Tekton's, 60)");
        var command = new Command("start", "Start a component and every dependency it needs.") { id, wait, dependencyTimeout };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var componentId = context.Get(id);
            var timeout = context.Get(dependencyTimeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var result = context.Get(wait) && !context.Json
                ? await StartShowingProgressAsync(context, componentId, timeout, cancellationToken)
                : await context.Client.StartComponentAsync(componentId, context.Get(wait), timeout, cancellationToken);
            // "Component started" reads "engram: started" after the component's id.
            var outcome = result.Message.StartsWith("Component ", StringComparison.Ordinal) ? result.Message["Component ".Length..] : result.Message;
            context.Output.Result(result, $"{componentId}: {outcome} (instance {result.InstanceUuid})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<StartResult> StartShowingProgressAsync(CommandContext context, string componentId, TimeSpan? dependencyTimeout, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var involved = StartupProgress.Involved(await client.GetDependencyGraphAsync(cancellationToken), componentId);
        var changes = Channel.CreateUnbounded<StateChangeEvent>(new UnboundedChannelOptions { SingleReader = true });
        await using var subscription = await client.SubscribeToStateChangesAsync(
            ["all"], change => changes.Writer.TryWrite(change), involved, cancellationToken: cancellationToken);

        // Read after subscribing: a change made in between is then both in this answer and in the events.
        var current = (await client.ListComponentsAsync(cancellationToken: cancellationToken)).ToDictionary(c => c.ComponentId, c => c.Status);
        var progress = new StartupProgress(componentId, involved, current);
        IStartupDisplay display = context.Output.CanRedraw ? new LiveStartupDisplay(context.Output) : new PlainStartupDisplay(context.Output);
        var start = client.StartComponentAsync(componentId, wait: true, dependencyTimeout, cancellationToken);
        await display.ShowAsync(progress, changed => FollowAsync(progress, changes.Reader, start, changed, cancellationToken));
        return await start;
    }

    /// <summary>Applies state events until the start answered and the events caught up with its outcome, or a grace time passed.</summary>
    private static async Task FollowAsync(
        StartupProgress progress, ChannelReader<StateChangeEvent> changes, Task<StartResult> start, Action<string> changed, CancellationToken cancellationToken)
    {
        Task<bool>? next = null;
        DateTime? graceEnds = null;
        while (true)
        {
            if (start.IsCompleted)
            {
                var succeeded = start.IsCompletedSuccessfully;
                graceEnds ??= DateTime.UtcNow + (succeeded ? EventsAfterSuccess : EventsAfterFailure);
                if ((succeeded ? progress.TargetServing : progress.TargetEnded) || DateTime.UtcNow >= graceEnds)
                {
                    return;
                }
            }

            next ??= changes.WaitToReadAsync(cancellationToken).AsTask();
            var wakeUp = graceEnds is { } ends ? Task.Delay(Max(ends - DateTime.UtcNow, TimeSpan.Zero), cancellationToken) : start;
            await Task.WhenAny(next, wakeUp);
            cancellationToken.ThrowIfCancellationRequested();
            if (!next.IsCompleted)
            {
                continue;
            }

            await next;
            next = null;
            while (changes.TryRead(out var change))
            {
                if (progress.Apply(change.ComponentId, change.NewState))
                {
                    changed(change.ComponentId);
                }
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
