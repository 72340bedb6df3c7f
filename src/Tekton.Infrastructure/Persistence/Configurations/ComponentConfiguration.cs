using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tekton.Domain.Components;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class ComponentConfiguration : IEntityTypeConfiguration<Component>
{
    public void Configure(EntityTypeBuilder<Component> builder)
    {
        builder.ToTable("components");
        builder.HasKey(c => c.ComponentId);
        builder.Property(c => c.ComponentId).HasColumnName("component_id").HasMaxLength(64).ValueGeneratedNever();
        builder.Property(c => c.ComponentName).HasColumnName("component_name").HasMaxLength(128);
        builder.Property(c => c.ComponentType).HasColumnName("component_type").HasMaxLength(32);
        builder.Property(c => c.Version).HasColumnName("version").HasMaxLength(128);
        builder.PrimitiveCollection(c => c.Capabilities).HasColumnName("capabilities");
        builder.PrimitiveCollection(c => c.Dependencies).HasColumnName("dependencies");
        builder.Property(c => c.Host).HasColumnName("host").HasMaxLength(253);
        builder.Property(c => c.Port).HasColumnName("port");
        builder.Property(c => c.HealthCheck).HasColumnName("health_check").HasMaxLength(2048);
        builder.Property(c => c.MetadataJson).HasColumnName("metadata");
        builder.Property(c => c.HeartbeatInterval).HasColumnName("heartbeat_interval");
        builder.Property(c => c.HeartbeatTimeout).HasColumnName("heartbeat_timeout");
        builder.Property(c => c.Launch).HasColumnName("launch").HasConversion(
            launch => launch == null ? null : JsonSerializer.Serialize(launch, PersistenceJson.Default.LaunchSpec),
            json => json == null ? null : JsonSerializer.Deserialize(json, PersistenceJson.Default.LaunchSpec));
        builder.Property(c => c.Autostart).HasColumnName("autostart");
        builder.Property(c => c.Requirements).HasColumnName("requirements").HasConversion(
            requirements => requirements == null ? null : JsonSerializer.Serialize(requirements, PersistenceJson.Default.ResourceRequirements),
            json => json == null ? null : JsonSerializer.Deserialize(json, PersistenceJson.Default.ResourceRequirements));
        builder.Property(c => c.RegistrationSequence).HasColumnName("registration_sequence");
        builder.Property(c => c.RegisteredAt).HasColumnName("registered_at");
        builder.Property(c => c.UpdatedAt).HasColumnName("updated_at");
        // Not indexed: no query reads components by it (boot loads them all, and the list sorts the snapshot in memory),
        // and the index was one more b-tree written by every registration (docs/performance-notes.md).
        builder.Ignore(c => c.CurrentInstance);
        builder.Ignore(c => c.Status);
        builder.Ignore(c => c.LiveInstances);

        builder.HasMany(c => c.Instances)
            .WithOne()
            .HasForeignKey(i => i.ComponentId)
            .IsRequired()
            .OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(c => c.Instances).HasField("_instances").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
