using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>The manifest file: <c>{"components": [registration, ...]}</c>, each entry shaped like a registration.</summary>
public sealed record ManifestFile(IReadOnlyList<RegisterComponent> Components);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ManifestFile))]
internal sealed partial class ManifestJson : JsonSerializerContext;

/// <summary>
/// What Tekton does at boot (design §6.3), before the server listens: upsert the manifest's components and
/// re-adopt every supervised process that is still the same process (pid plus start time). Once the server
/// answers: mark instances whose process is gone and apply their restart policy, then start the autostart
/// components in startup order. An instance is never launched while its old process may still run.
/// </summary>
public sealed partial class LifecycleBoot(
    IRegistryWriter writer,
    RegistryProjection projection,
    InstanceRunner runner,
    StartupCoordinator coordinator,
    IValidator<RegisterComponent> validator,
    IHostApplicationLifetime lifetime,
    IOptions<SupervisionOptions> options,
    IHostEnvironment environment,
    LocalNode node,
    ILogger<LifecycleBoot> logger) : IHostedService
{
    private Task _afterStart = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Manifest is { Length: > 0 } manifest)
        {
            await ApplyManifestAsync(Path.GetFullPath(manifest, environment.ContentRootPath), cancellationToken);
        }

        var lost = ReadoptProcesses();
        lifetime.ApplicationStarted.Register(() => _afterStart = AfterStartAsync(lost, runner.Stopping));
    }

    public async Task StopAsync(CancellationToken cancellationToken) =>
        await _afterStart.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);

    private async Task ApplyManifestAsync(string path, CancellationToken cancellationToken)
    {
        ManifestFile file;
        try
        {
            await using var stream = File.OpenRead(path);
            file = await JsonSerializer.DeserializeAsync(stream, ManifestJson.Default.ManifestFile, cancellationToken)
                ?? throw new InvalidOperationException("the file is empty");
        }
        catch (Exception exception) when (exception is IOException or JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Tekton:Manifest '{path}' cannot be read: {exception.Message}", exception);
        }

        var problems = new List<string>();
        for (var i = 0; i < file.Components.Count; i++)
        {
            var result = await validator.ValidateAsync(file.Components[i], cancellationToken);
            problems.AddRange(result.Errors.Select(e => $"components[{i}] ({file.Components[i].ComponentId}): {e.ErrorMessage}"));
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Tekton:Manifest '{path}' is invalid:\n  " + string.Join("\n  ", problems));
        }

        try
        {
            await UpsertAsync(file, cancellationToken);
        }
        catch (TektonException exception)
        {
            throw new InvalidOperationException($"Tekton:Manifest '{path}' cannot be applied: {exception.Message}", exception);
        }

        LogManifest(path, file.Components.Count);
    }

    private ValueTask<int> UpsertAsync(ManifestFile file, CancellationToken cancellationToken) =>
        writer.WriteAsync(
            write =>
            {
                foreach (var entry in file.Components)
                {
                    var definition = RegisterComponentHandler.Definition(entry, node);
                    if (write.Find(entry.ComponentId!) is { } existing)
                    {
                        existing.Redefine(definition, write.Now);
                    }
                    else
                    {
                        write.Add(Component.Register(entry.ComponentId!, definition, write.NextRegistrationSequence(), write.Now));
                    }
                }

                return 0;
            },
            cancellationToken);

    /// <summary>Adopts live processes; returns the supervised instances whose process is gone.</summary>
    private List<(string ComponentId, Guid InstanceUuid)> ReadoptProcesses()
    {
        var lost = new List<(string, Guid)>();
        foreach (var view in projection.Current.InRegistrationOrder)
        {
            if (view.Launch is { } launch && !launch.RunsOn(node.Name))
            {
                // Another node's process: that node adopts it.
                continue;
            }

            foreach (var instance in view.Instances.Where(i => i.Status.IsLive() && i.Pid is not null))
            {
                if (!runner.Adopt(view.ComponentId, instance.InstanceUuid, instance.Pid!.Value, instance.ProcessStartTicks ?? -1))
                {
                    lost.Add((view.ComponentId, instance.InstanceUuid));
                }
            }
        }

        return lost;
    }

    private async Task AfterStartAsync(List<(string ComponentId, Guid InstanceUuid)> lost, CancellationToken stopping)
    {
        try
        {
            foreach (var (componentId, instanceUuid) in lost)
            {
                await runner.RecoverLostAsync(componentId, instanceUuid, stopping);
            }

            // The whole graph's analysis only when something is to start: computed, it stays with the snapshot
            // (for 100,000 components, tens of MB) until the next write.
            var autostart = projection.Current.ById.Values.Any(v => v is { Autostart: true, Launch: not null } && v.Launch.RunsOn(node.Name));
            foreach (var componentId in autostart ? projection.Current.Dependencies.StartupOrder : [])
            {
                if (projection.Current.Find(componentId) is { Autostart: true, Launch: not null } view && view.Launch.RunsOn(node.Name) && !view.Status.SatisfiesDependents())
                {
                    try
                    {
                        var started = await coordinator.StartAsync(componentId, TimeSpan.FromSeconds(options.Value.DependencyTimeoutSeconds), stopping);
                        await started.Completion;
                    }
                    catch (TektonException exception)
                    {
                        // One component that cannot start does not keep the others down.
                        LogAutostartFailed(componentId, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Manifest {Path}: {Count} components upserted")]
    private partial void LogManifest(string path, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Autostart of {ComponentId} failed: {Reason}")]
    private partial void LogAutostartFailed(string componentId, string reason);
}
