using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Components;
using Tekton.Infrastructure.Heartbeats;

namespace Tekton.Infrastructure.Tests.Persistence;

public sealed class HeartbeatWriteBehindTests : RegistryHostTest
{
    [Fact]
    public async Task Heartbeat_times_and_health_are_written_behind_by_the_flusher()
    {
        var instance = await Host.Writer.WriteAsync(write =>
        {
            var component = Component.Register("engram", new ComponentDefinition("Engram", "memory", "1.0.0", [], [], "localhost", null, null, "{}", 10, 30), 1, write.Now);
            write.Add(component);
            var (added, change) = component.AddInstance(Guid.NewGuid(), write.Now);
            write.Add(added);
            write.Record(change);
            return added.InstanceUuid;
        });
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Host.Services.GetRequiredService<HeartbeatTable>()
            .Record(new HeartbeatRecord("engram", instance, at, new Dictionary<string, string> { ["database"] = "healthy" }));

        var flusher = Host.Services.GetServices<IHostedService>().OfType<HeartbeatFlusher>().Single();
        await flusher.FlushAsync(CancellationToken.None);

        await using var db = Host.CreateDbContext();
        var row = await db.Instances.SingleAsync(i => i.InstanceUuid == instance);
        row.LastHeartbeat.Should().Be(at);
        row.ReportedHealthJson.Should().Be("""{"database":"healthy"}""");
        Host.Projection.Current.Find("engram")!.Current!.LastHeartbeat.Should().Be(at);
    }
}
