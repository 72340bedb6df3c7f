using System.ComponentModel;
using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Resources;

/// <summary>The body of <c>POST /api/tekton/components/{id}/resources</c>: what a ResourceReporter sends (the reference's resource_usage).</summary>
public sealed record ResourceReportBody
{
    [Description("The reporting instance; defaults to the component's current instance")]
    public Guid? InstanceUuid { get; init; }

    [Description("Percent of one core (can exceed 100 on several cores)")]
    public double? CpuPercent { get; init; }

    public ProcessMemory? Memory { get; init; }

    public ProcessGpu? Gpu { get; init; }

    public NetworkBytes? Network { get; init; }

    public DiskIo? DiskIo { get; init; }
}

public sealed record ReportResources(string ComponentId, ResourceReportBody Body) : ICommand<OperationResult>;

public sealed class ReportResourcesValidator : AbstractValidator<ReportResources>
{
    private const double MaxMib = 1024d * 1024 * 1024;

    public ReportResourcesValidator()
    {
        RuleFor(r => r.Body.CpuPercent).InclusiveBetween(0, 100 * 4096).When(r => r.Body.CpuPercent is not null)
            .OverridePropertyName("cpu_percent").WithMessage("cpu_percent must be between 0 and 409600 (percent of one core).");
        RuleFor(r => r.Body.Memory!.Rss).InclusiveBetween(0, MaxMib).When(r => r.Body.Memory?.Rss is not null)
            .OverridePropertyName("memory.rss").WithMessage("memory.rss must be between 0 and 1073741824 MiB.");
        RuleFor(r => r.Body.Memory!.Vms).InclusiveBetween(0, MaxMib).When(r => r.Body.Memory?.Vms is not null)
            .OverridePropertyName("memory.vms").WithMessage("memory.vms must be between 0 and 1073741824 MiB.");
        RuleFor(r => r.Body.Memory!.Percent).InclusiveBetween(0, 100).When(r => r.Body.Memory?.Percent is not null)
            .OverridePropertyName("memory.percent").WithMessage("memory.percent must be between 0 and 100.");
        RuleFor(r => r.Body.Gpu!.Id).InclusiveBetween(0, 1023).When(r => r.Body.Gpu?.Id is not null)
            .OverridePropertyName("gpu.id").WithMessage("gpu.id must be between 0 and 1023.");
        RuleFor(r => r.Body.Gpu!.MemoryUsed).InclusiveBetween(0, 1_048_576).When(r => r.Body.Gpu?.MemoryUsed is not null)
            .OverridePropertyName("gpu.memory_used").WithMessage("gpu.memory_used must be between 0 and 1048576 GiB.");
        RuleFor(r => r.Body.Network!.BytesSent).GreaterThanOrEqualTo(0).When(r => r.Body.Network?.BytesSent is not null)
            .OverridePropertyName("network.bytes_sent").WithMessage("network.bytes_sent must not be negative.");
        RuleFor(r => r.Body.Network!.BytesRecv).GreaterThanOrEqualTo(0).When(r => r.Body.Network?.BytesRecv is not null)
            .OverridePropertyName("network.bytes_recv").WithMessage("network.bytes_recv must not be negative.");
        RuleFor(r => r.Body.DiskIo!.ReadBytes).GreaterThanOrEqualTo(0).When(r => r.Body.DiskIo?.ReadBytes is not null)
            .OverridePropertyName("disk_io.read_bytes").WithMessage("disk_io.read_bytes must not be negative.");
        RuleFor(r => r.Body.DiskIo!.WriteBytes).GreaterThanOrEqualTo(0).When(r => r.Body.DiskIo?.WriteBytes is not null)
            .OverridePropertyName("disk_io.write_bytes").WithMessage("disk_io.write_bytes must not be negative.");
    }
}

public sealed class ReportResourcesHandler(RegistryProjection projection, ResourceReports reports, TimeProvider clock)
    : ICommandHandler<ReportResources, OperationResult>
{
    public ValueTask<OperationResult> Handle(ReportResources command, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(command.ComponentId) ?? throw TektonException.ComponentNotFound(command.ComponentId);
        var instance = command.Body.InstanceUuid is { } uuid
            ? view.FindInstance(uuid) ?? throw TektonException.InstanceNotFound(view.ComponentId, uuid)
            : view.Current ?? throw new TektonException(ErrorCode.ComponentNotFound, $"Component '{view.ComponentId}' has no instance to report for.");
        if (!instance.Status.IsLive())
        {
            throw new TektonException(ErrorCode.InvalidStateTransition,
                $"Instance '{instance.InstanceUuid}' of '{view.ComponentId}' is {instance.Status.ToWire()}; only a live instance reports its resources.");
        }

        var body = command.Body;
        reports.Record(view.ComponentId, new StoredReport(
            instance.InstanceUuid,
            new ResourceUsage { CpuPercent = body.CpuPercent, Memory = body.Memory, Gpu = body.Gpu, Network = body.Network, DiskIo = body.DiskIo },
            clock.GetUtcNow()));
        return ValueTask.FromResult(new OperationResult(true, "Resource usage recorded"));
    }
}
