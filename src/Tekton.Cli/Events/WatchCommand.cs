using System.CommandLine;
using System.Text.Json;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Events;

/// <summary>
/// <c>tekton watch heartbeats|state</c>: one line per live event, as it arrives, until Ctrl+C or SIGTERM. Once
/// Tekton confirmed the subscription, <c>watching …</c> goes to stderr; a lost connection is resumed after the
/// last event printed, so none is missed or printed twice.
/// </summary>
internal static class WatchCommand
{
    public static Command Create() => new("watch", "Print live events, one line each, until Ctrl+C.")
    {
        Heartbeats(),
        StateChanges(),
    };

    private static Command Heartbeats()
    {
        var id = new Argument<string>("id") { Description = "A component id, or all", DefaultValueFactory = _ => "all" };
        var command = new Command("heartbeats", "Print every heartbeat of one component, or of all.") { id };
        command.SetHandler((context, cancellationToken) =>
        {
            var componentId = context.Get(id);
            return WatchAsync(
                context,
                componentId == "all" ? "the heartbeats of all components" : $"the heartbeats of {componentId}",
                (options, token) => context.Client.SubscribeToHeartbeatsAsync(componentId, heartbeat => Print(context.Output, heartbeat), options, token),
                cancellationToken);
        });
        return command;
    }

    private static Command StateChanges()
    {
        var types = new Option<string[]>("--type") { Description = "Only components of this component_type; repeat for more (default: all types)" };
        var ids = new Option<string[]>("--id") { Description = "Only this component; repeat for more (default: all components)" };
        var command = new Command("state", "Print every state change: registrations, starts, stops, failures.") { types, ids };
        command.SetHandler((context, cancellationToken) =>
        {
            string[] componentTypes = context.Get(types) is { Length: > 0 } given ? given : ["all"];
            var componentIds = context.Get(ids) is { Length: > 0 } named ? named : null;
            var what = $"the state changes of {(componentIds is null ? "all components" : string.Join(", ", componentIds))}" +
                (componentTypes is ["all"] ? "" : $" of type {string.Join(", ", componentTypes)}");
            return WatchAsync(
                context,
                what,
                (options, token) => context.Client.SubscribeToStateChangesAsync(componentTypes, change => Print(context.Output, change), componentIds, options, token),
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> WatchAsync(
        CommandContext context, string what, Func<SubscriptionOptions, CancellationToken, Task<TektonSubscription>> subscribe, CancellationToken cancellationToken)
    {
        var output = context.Output;
        var options = new SubscriptionOptions
        {
            OnDisconnected = lost => output.Note($"connection to Tekton lost{(lost is null ? "" : ": " + lost.Message)}; reconnecting"),
            OnReconnected = () => output.Note("reconnected"),
            OnResyncRequired = resync => output.Warning($"events were missed: {resync.Message}"),
            OnHandlerError = error => output.Warning($"an event could not be printed: {error.Message}"),
        };
        await using var subscription = await subscribe(options, cancellationToken);
        output.Note($"watching {what} (Ctrl+C to stop)");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM is how a watch ends.
        }

        return ExitCodes.Ok;
    }

    private static void Print(Output output, HeartbeatEvent heartbeat)
    {
        if (output.Json)
        {
            output.WriteRawJsonLine(heartbeat.Raw);
            return;
        }

        var metrics = string.Join(' ', heartbeat.Metrics.Select(m => $"{m.Key}={Value(m.Value)}"));
        output.Line($"{Formats.PreciseTime(heartbeat.Timestamp)} {heartbeat.ComponentId} heartbeat {heartbeat.Status}{(metrics.Length > 0 ? " " + metrics : "")}");
    }

    private static void Print(Output output, StateChangeEvent change)
    {
        if (output.Json)
        {
            output.WriteRawJsonLine(change.Raw);
            return;
        }

        var reason = change.Metadata.TryGetValue("reason", out var r) ? $" ({Value(r)})" : "";
        output.Line($"{Formats.PreciseTime(change.Timestamp)} {change.ComponentId} {change.PreviousState} -> {change.NewState}{reason}");
    }

    private static string Value(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
