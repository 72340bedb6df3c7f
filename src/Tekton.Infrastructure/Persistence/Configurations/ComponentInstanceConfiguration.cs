using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tekton.Domain.Components;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class ComponentInstanceConfiguration : IEntityTypeConfiguration<ComponentInstance>
{
    public void Configure(EntityTypeBuilder<ComponentInstance> builder)
    {
        builder.ToTable("instances");
        builder.HasKey(i => i.InstanceUuid);
        builder.Property(i => i.InstanceUuid).HasColumnName("instance_uuid").ValueGeneratedNever();
        builder.Property(i => i.ComponentId).HasColumnName("component_id").HasMaxLength(64);
        builder.Property(i => i.Status).HasColumnName("status");
        builder.Property(i => i.CreatedAt).HasColumnName("created_at");
        builder.Property(i => i.StatusChangedAt).HasColumnName("status_changed_at");
        builder.Property(i => i.StatusReason).HasColumnName("status_reason").HasMaxLength(256);
        builder.Property(i => i.ReadyAt).HasColumnName("ready_at");
        builder.Property(i => i.LastHeartbeat).HasColumnName("last_heartbeat");
        builder.Property(i => i.ReportedHealthJson).HasColumnName("reported_health");
        builder.Property(i => i.Pid).HasColumnName("pid");
        builder.Property(i => i.ProcessStartTicks).HasColumnName("process_start_ticks");
        builder.Property(i => i.LaunchedAt).HasColumnName("launched_at");
        builder.Property(i => i.RestartCount).HasColumnName("restart_count");
        builder.PrimitiveCollection(i => i.RestartHistory).HasColumnName("restart_history");
        builder.Property(i => i.ExitCode).HasColumnName("exit_code");
        builder.Ignore(i => i.IsLive);
        builder.Ignore(i => i.IsSupervised);
        builder.Ignore(i => i.Restarts);
        builder.HasIndex(i => i.ComponentId);
    }
}
