using System.ComponentModel;
using FluentValidation;
using Tekton.Domain.Resources;

namespace Tekton.Application.Resources;

/// <summary>The wire shape of a component's requirements (design §8.3), the same in registrations and in answers.</summary>
public sealed record RequirementsBody
{
    public const double MaxGb = 1_048_576;
    public const int MaxGpus = 64;

    [Description("Memory (GiB) that must be free before the component starts")]
    public double? MinMemoryGb { get; init; }

    [Description("Disk space (GiB) that must be free in the data folder's filesystem before the component starts")]
    public double? MinDiskGb { get; init; }

    [Description("GPUs the component needs (each with min_gpu_memory_gb free, when that is given)")]
    public int? GpuCount { get; init; }

    [Description("GPU memory (GiB) that must be free on each GPU the component needs; alone, it means one GPU")]
    public double? MinGpuMemoryGb { get; init; }

    /// <summary>The domain requirements, or <c>null</c> when nothing is required.</summary>
    public ResourceRequirements? ToRequirements() =>
        MinMemoryGb is null && MinDiskGb is null && GpuCount is null && MinGpuMemoryGb is null
            ? null
            : new ResourceRequirements { MinMemoryGb = MinMemoryGb, MinDiskGb = MinDiskGb, GpuCount = GpuCount, MinGpuMemoryGb = MinGpuMemoryGb };

    public static RequirementsBody From(ResourceRequirements requirements) => new()
    {
        MinMemoryGb = requirements.MinMemoryGb,
        MinDiskGb = requirements.MinDiskGb,
        GpuCount = requirements.GpuCount,
        MinGpuMemoryGb = requirements.MinGpuMemoryGb,
    };
}

public sealed class RequirementsBodyValidator : AbstractValidator<RequirementsBody>
{
    public RequirementsBodyValidator()
    {
        RuleFor(r => r.MinMemoryGb).InclusiveBetween(0, RequirementsBody.MaxGb).When(r => r.MinMemoryGb is not null)
            .WithMessage("requirements.min_memory_gb must be between 0 and 1048576 GiB.");
        RuleFor(r => r.MinDiskGb).InclusiveBetween(0, RequirementsBody.MaxGb).When(r => r.MinDiskGb is not null)
            .WithMessage("requirements.min_disk_gb must be between 0 and 1048576 GiB.");
        RuleFor(r => r.GpuCount).InclusiveBetween(0, RequirementsBody.MaxGpus).When(r => r.GpuCount is not null)
            .WithMessage("requirements.gpu_count must be between 0 and 64.");
        RuleFor(r => r.MinGpuMemoryGb).InclusiveBetween(0, RequirementsBody.MaxGb).When(r => r.MinGpuMemoryGb is not null)
            .WithMessage("requirements.min_gpu_memory_gb must be between 0 and 1048576 GiB.");
    }
}
