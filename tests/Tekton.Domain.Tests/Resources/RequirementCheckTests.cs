using Tekton.Domain.Resources;

namespace Tekton.Domain.Tests.Resources;

public sealed class RequirementCheckTests
{
    private static readonly FreeCapacity Machine = new(MemoryGb: 20, DiskGb: 100, GpuMemoryFreeGb: [70, 10]);

    [Fact]
    public void Requirements_that_fit_pass()
    {
        RequirementCheck.Unmet([("rhetor", new ResourceRequirements { MinMemoryGb = 8, MinDiskGb = 50, GpuCount = 1, MinGpuMemoryGb = 40 })], Machine)
            .Should().BeEmpty();
        RequirementCheck.Unmet([("plain", new ResourceRequirements())], Machine).Should().BeEmpty();
    }

    [Fact]
    public void Memory_and_disk_are_summed_over_every_component_the_start_launches()
    {
        var unmet = RequirementCheck.Unmet(
            [("engram", new ResourceRequirements { MinMemoryGb = 12 }), ("rhetor", new ResourceRequirements { MinMemoryGb = 12, MinDiskGb = 30 })],
            Machine);

        var memory = unmet.Should().ContainSingle().Subject;
        memory.Requirement.Should().Be("min_memory_gb");
        memory.Requested.Should().Be(24);
        memory.Available.Should().Be(20);
        memory.Message.Should().Contain("'engram' (12), 'rhetor' (12) together need 24 GiB").And.Contain("20 GiB is free");
    }

    [Fact]
    public void Gpu_count_and_gpu_memory_name_what_is_missing()
    {
        var tooMany = RequirementCheck.Unmet([("big", new ResourceRequirements { GpuCount = 3 })], Machine).Single();
        tooMany.Requirement.Should().Be("gpu_count");
        tooMany.Requested.Should().Be(3);
        tooMany.Available.Should().Be(2);

        var tooSmall = RequirementCheck.Unmet([("wide", new ResourceRequirements { GpuCount = 2, MinGpuMemoryGb = 40 })], Machine).Single();
        tooSmall.Requirement.Should().Be("min_gpu_memory_gb");
        tooSmall.Requested.Should().Be(40);
        tooSmall.Available.Should().Be(70, "the most free on one GPU");
        tooSmall.Message.Should().Contain("1 of 2 have that much");

        var memoryOnly = RequirementCheck.Unmet([("solo", new ResourceRequirements { MinGpuMemoryGb = 80 })], Machine).Single();
        memoryOnly.Requirement.Should().Be("min_gpu_memory_gb", "GPU memory alone means one GPU");
    }

    [Fact]
    public void A_machine_without_gpus_refuses_any_gpu_requirement_and_figures_that_cannot_be_read_refuse_what_needs_them()
    {
        var noGpu = new FreeCapacity(20, 100, []);
        RequirementCheck.Unmet([("llm", new ResourceRequirements { GpuCount = 1 })], noGpu).Single().Available.Should().Be(0);

        var unreadable = new FreeCapacity(null, null, null);
        var unmet = RequirementCheck.Unmet([("x", new ResourceRequirements { MinMemoryGb = 1, MinDiskGb = 1, GpuCount = 1 })], unreadable);
        unmet.Select(u => u.Requirement).Should().Equal("min_memory_gb", "min_disk_gb", "gpu_count");
        unmet.Should().OnlyContain(u => u.Available == null && u.Message.Contains("cannot be read"));
        RequirementCheck.Unmet([("y", new ResourceRequirements { MinMemoryGb = 0 })], unreadable).Should().BeEmpty("asking for nothing needs no figure");
    }
}
