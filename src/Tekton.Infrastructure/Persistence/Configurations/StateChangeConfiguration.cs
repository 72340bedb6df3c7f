using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tekton.Domain.Components;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class StateChangeConfiguration : IEntityTypeConfiguration<StateChange>
{
    public void Configure(EntityTypeBuilder<StateChange> builder)
    {
        builder.ToTable("state_changes");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(s => s.Sequence).HasColumnName("sequence");
        builder.Property(s => s.ComponentId).HasColumnName("component_id").HasMaxLength(64);
        builder.Property(s => s.ComponentType).HasColumnName("component_type").HasMaxLength(32);
        builder.Property(s => s.InstanceUuid).HasColumnName("instance_uuid");
        builder.Property(s => s.PreviousState).HasColumnName("previous_state");
        builder.Property(s => s.NewState).HasColumnName("new_state");
        builder.Property(s => s.Timestamp).HasColumnName("timestamp");
        builder.Property(s => s.Reason).HasColumnName("reason").HasMaxLength(256);
        builder.Property(s => s.ExitCode).HasColumnName("exit_code");
        builder.Property(s => s.RestartCount).HasColumnName("restart_count");
        builder.Property(s => s.StartupDuration).HasColumnName("startup_duration");
        builder.HasIndex(s => new { s.ComponentId, s.Id });
        builder.HasIndex(s => s.Sequence);
    }
}
