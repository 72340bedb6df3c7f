using Tekton.Infrastructure.Resources;

namespace Tekton.Infrastructure.Tests.Resources;

/// <summary>The /proc parsers on text captured from Linux machines (proc(5)).</summary>
public sealed class ProcFilesTests
{
    private const string Stat = """
        cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0
        cpu0 1393280 32966 572056 13343292 6310 0 17875 0 45012 0
        cpu1 1335085 30934 509416 13300765 3371 0 5174 0 40256 0
        intr 199292231 43 2 0 0
        ctxt 338928563
        btime 1732400000
        processes 2217543
        """;

    [Fact]
    public void Proc_stat_gives_the_overall_and_per_core_counters_with_iowait_as_idle_and_guest_time_not_counted_twice()
    {
        var cpu = ProcFiles.ParseStat(Stat)!;

        cpu.PerCore.Should().HaveCount(2);
        cpu.Overall.Total.Should().Be(10132153UL + 290696 + 3084719 + 46828483 + 16683 + 0 + 25195 + 0, "user..steal; guest is inside user");
        cpu.Overall.Idle.Should().Be(46828483UL + 16683);
        cpu.PerCore[1].Idle.Should().Be(13300765UL + 3371);
    }

    [Fact]
    public void Loadavg_gives_three_numbers()
    {
        ProcFiles.ParseLoadAverage("2.34 2.15 1.97 3/812 2217543\n").Should().Equal(2.34, 2.15, 1.97);
    }

    [Fact]
    public void Meminfo_gives_bytes_and_estimates_available_memory_on_kernels_without_MemAvailable()
    {
        var modern = ProcFiles.ParseMeminfo("""
            MemTotal:       16318412 kB
            MemFree:         1022340 kB
            MemAvailable:    8812300 kB
            Buffers:          402112 kB
            Cached:          7021004 kB
            SwapTotal:       8388604 kB
            SwapFree:        7130612 kB
            HugePages_Total:       0
            """)!;
        modern.TotalBytes.Should().Be(16318412L * 1024);
        modern.AvailableBytes.Should().Be(8812300L * 1024);
        modern.SwapTotalBytes.Should().Be(8388604L * 1024);
        modern.SwapFreeBytes.Should().Be(7130612L * 1024);

        var old = ProcFiles.ParseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n")!;
        old.AvailableBytes.Should().Be(400 * 1024);
        old.SwapTotalBytes.Should().Be(0);

        ProcFiles.ParseMeminfo("nothing here").Should().BeNull();
    }

    [Fact]
    public void A_process_stat_line_is_read_from_the_last_parenthesis_so_odd_command_names_do_not_shift_fields()
    {
        var line = "4242 (my (odd) name) S 4200 4242 4242 0 -1 4194560 9042 117 0 0 1523 311 40 12 20 0 3 0 987654 231002112 5321 18446744073709551615";

        var stat = ProcFiles.ParseProcessStat(line)!.Value;

        stat.Pid.Should().Be(4242);
        stat.State.Should().Be('S');
        stat.ParentPid.Should().Be(4200);
        stat.UserTicks.Should().Be(1523);
        stat.SystemTicks.Should().Be(311);
        stat.TotalTicks.Should().Be(1523UL + 311 + 40 + 12, "finished children that were waited for count too");
        stat.StartTicks.Should().Be(987654);
        ProcFiles.ParseProcessStat("garbage").Should().BeNull();
    }

    [Fact]
    public void Status_gives_resident_and_virtual_memory_and_a_zombie_has_none()
    {
        ProcFiles.ParseStatusMemory("Name:\tpython3\nVmPeak:\t  300000 kB\nVmSize:\t  226480 kB\nVmRSS:\t  209104 kB\nThreads:\t1\n")
            .Should().Be((209104L * 1024, 226480L * 1024));
        ProcFiles.ParseStatusMemory("Name:\tsh\nState:\tZ (zombie)\nThreads:\t1\n").Should().Be((0L, 0L));
    }

    [Fact]
    public void Io_gives_storage_bytes_and_nothing_when_the_fields_are_missing()
    {
        ProcFiles.ParseIo("rchar: 4292\nwchar: 0\nsyscr: 9\nsyscw: 0\nread_bytes: 28672\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n")
            .Should().Be((28672L, 4096L));
        ProcFiles.ParseIo("rchar: 4292\n").Should().BeNull();
    }
}
