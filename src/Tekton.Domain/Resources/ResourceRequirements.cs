namespace Tekton.Domain.Resources;

/// <summary>
/// What a component needs free before it may start (design §8.3). Memory and disk in GiB; a GPU requirement
/// means that many GPUs each with at least <see cref="MinGpuMemoryGb"/> free.
/// </summary>
public sealed record ResourceRequirements
{
    public double? MinMemoryGb { get; init; }

    public double? MinDiskGb { get; init; }

    public int? GpuCount { get; init; }

    public double? MinGpuMemoryGb { get; init; }

    /// <summary>The GPUs asked for: <see cref="GpuCount"/>, or one when only GPU memory is asked for.</summary>
    public int GpusNeeded() => GpuCount ?? (MinGpuMemoryGb > 0 ? 1 : 0);
}

/// <summary>What is free now; a figure that cannot be read on this platform is <c>null</c>.</summary>
public sealed record FreeCapacity(double? MemoryGb, double? DiskGb, IReadOnlyList<double>? GpuMemoryFreeGb);

/// <summary>One requirement that cannot be met now: what was asked, by whom, and what is free.</summary>
public sealed record UnmetRequirement(string Requirement, string ComponentId, double Requested, double? Available, string Message);

/// <summary>
/// Checks the requirements of the components one start will launch against what is free. Memory and disk are
/// consumed together, so their requirements are summed over those components; each component's GPU
/// requirement is checked on its own, since GPUs are shared between processes.
/// </summary>
public static class RequirementCheck
{
    public static IReadOnlyList<UnmetRequirement> Unmet(IReadOnlyList<(string ComponentId, ResourceRequirements Requirements)> starting, FreeCapacity free)
    {
        var unmet = new List<UnmetRequirement>();
        CheckSummed(unmet, starting, "min_memory_gb", r => r.MinMemoryGb, free.MemoryGb, "memory");
        CheckSummed(unmet, starting, "min_disk_gb", r => r.MinDiskGb, free.DiskGb, "disk space in the data folder's filesystem");

        foreach (var (componentId, requirements) in starting)
        {
            var needed = requirements.GpusNeeded();
            if (needed == 0)
            {
                continue;
            }

            var perGpu = requirements.MinGpuMemoryGb ?? 0;
            if (free.GpuMemoryFreeGb is not { } gpus)
            {
                unmet.Add(new UnmetRequirement(requirements.GpuCount is null ? "min_gpu_memory_gb" : "gpu_count", componentId, needed, null,
                    $"'{componentId}' needs {needed} GPU(s), and GPUs cannot be read on this machine."));
                continue;
            }

            var fitting = gpus.Count(g => g >= perGpu);
            if (fitting >= needed)
            {
                continue;
            }

            unmet.Add(perGpu > 0 && gpus.Count >= needed
                ? new UnmetRequirement("min_gpu_memory_gb", componentId, perGpu, gpus.Count == 0 ? 0 : Round(gpus.Max()),
                    $"'{componentId}' needs {needed} GPU(s) with {Format(perGpu)} GiB free each; {fitting} of {gpus.Count} have that much " +
                    $"(most free on one GPU: {Format(gpus.Max())} GiB).")
                : new UnmetRequirement("gpu_count", componentId, needed, gpus.Count,
                    $"'{componentId}' needs {needed} GPU(s); this machine has {gpus.Count}."));
        }

        return unmet;
    }

    private static void CheckSummed(
        List<UnmetRequirement> unmet,
        IReadOnlyList<(string ComponentId, ResourceRequirements Requirements)> starting,
        string requirement,
        Func<ResourceRequirements, double?> select,
        double? free,
        string what)
    {
        var asking = starting.Where(s => select(s.Requirements) > 0).ToList();
        if (asking.Count == 0)
        {
            return;
        }

        var requested = asking.Sum(s => select(s.Requirements)!.Value);
        if (free is { } available && requested <= available)
        {
            return;
        }

        var who = asking.Count == 1
            ? $"'{asking[0].ComponentId}' needs"
            : $"{string.Join(", ", asking.Select(s => $"'{s.ComponentId}' ({Format(select(s.Requirements)!.Value)})"))} together need";
        var message = free is { } known
            ? $"{who} {Format(requested)} GiB of free {what}; {Format(known)} GiB is free."
            : $"{who} {Format(requested)} GiB of free {what}, and it cannot be read on this machine.";
        unmet.Add(new UnmetRequirement(requirement, asking[^1].ComponentId, Round(requested), free is { } f ? Round(f) : null, message));
    }

    private static double Round(double value) => Math.Round(value, 2);

    private static string Format(double value) => Round(value).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
