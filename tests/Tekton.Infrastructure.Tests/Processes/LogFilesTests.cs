using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tekton.Infrastructure.Processes;

namespace Tekton.Infrastructure.Tests.Processes;

public sealed class LogFilesTests : RegistryHostTest
{
    [Fact]
    public void The_tail_returns_the_last_lines_of_a_large_log_without_reading_it_whole()
    {
        var logs = Host.Services.GetRequiredService<LogFiles>();
        var uuid = Guid.NewGuid();
        var path = logs.PathFor("chatty", uuid);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, Enumerable.Range(1, 200_000).Select(i => $"line {i}"));

        logs.Tail("chatty", uuid, 3).Should().Equal("line 199998", "line 199999", "line 200000");
        logs.Tail("chatty", uuid, 1).Should().Equal("line 200000");
        logs.Tail("quiet", Guid.NewGuid(), 10).Should().BeEmpty();
        path.Should().StartWith(Host.Directory, "logs live beside the database by default");
    }

    [Fact]
    public void Oversized_logs_are_rotated_keeping_three_and_the_file_goes_on()
    {
        var logs = Host.Services.GetRequiredService<LogFiles>();
        var rotation = Host.Services.GetServices<IHostedService>().OfType<LogRotation>().Single();
        var path = logs.PathFor("chatty", Guid.NewGuid());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        for (var round = 1; round <= 5; round++)
        {
            File.WriteAllText(path, new string((char)('a' + round), 11 * 1024 * 1024));
            rotation.RotateOversized();
        }

        new FileInfo(path).Length.Should().Be(0);
        File.ReadAllText(path + ".1")[0].Should().Be('f', "the newest rotation is .1");
        new FileInfo(path + ".1").Length.Should().Be(10 * 1024 * 1024, "a rotated file keeps the newest LogFileMaxBytes of an oversized log");
        File.ReadAllText(path + ".3")[0].Should().Be('d');
        File.Exists(path + ".4").Should().BeFalse("three are kept");
    }
}
