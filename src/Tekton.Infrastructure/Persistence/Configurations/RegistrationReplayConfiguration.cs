using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tekton.Application.Components;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class RegistrationReplayConfiguration : IEntityTypeConfiguration<RegistrationReplay>
{
    public void Configure(EntityTypeBuilder<RegistrationReplay> builder)
    {
        builder.ToTable("registration_replays");
        builder.HasKey(r => r.Key);
        builder.Property(r => r.Key).HasColumnName("idempotency_key").HasMaxLength(RegistrationReplays.MaxKeyLength).ValueGeneratedNever();
        builder.Property(r => r.ComponentId).HasColumnName("component_id").HasMaxLength(64);
        builder.Property(r => r.InstanceUuid).HasColumnName("instance_uuid");
        builder.Property(r => r.Created).HasColumnName("created");
        builder.Property(r => r.Fingerprint).HasColumnName("fingerprint").HasMaxLength(64);
        builder.Property(r => r.CreatedAt).HasColumnName("created_at");
    }
}
