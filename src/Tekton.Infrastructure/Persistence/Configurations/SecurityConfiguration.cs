using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tekton.Application.Security;
using Tekton.Domain.Security;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasColumnName("id").HasMaxLength(32).ValueGeneratedNever();
        builder.Property(k => k.Name).HasColumnName("name").HasMaxLength(128);
        builder.Property(k => k.Role).HasColumnName("role").HasMaxLength(16)
            .HasConversion(role => role.WireName(), name => Parse(name));
        builder.Property(k => k.ComponentId).HasColumnName("component_id").HasMaxLength(64);
        builder.Property(k => k.Hash).HasColumnName("hash").HasMaxLength(64);
        builder.HasIndex(k => k.Hash).IsUnique();
        builder.Property(k => k.Prefix).HasColumnName("prefix").HasMaxLength(16);
        builder.Property(k => k.CreatedAt).HasColumnName("created_at");
        builder.Property(k => k.LastUsedAt).HasColumnName("last_used_at");
    }

    private static Role Parse(string name) => Roles.TryParse(name, out var role) ? role : Role.User;
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(e => e.At).HasColumnName("at");
        builder.Property(e => e.KeyId).HasColumnName("key_id").HasMaxLength(32);
        builder.Property(e => e.Actor).HasColumnName("actor").HasMaxLength(128);
        builder.Property(e => e.Role).HasColumnName("role").HasMaxLength(16);
        builder.Property(e => e.Action).HasColumnName("action").HasMaxLength(128);
        builder.Property(e => e.Method).HasColumnName("method").HasMaxLength(16);
        builder.Property(e => e.Path).HasColumnName("path").HasMaxLength(2048);
        builder.Property(e => e.Target).HasColumnName("target").HasMaxLength(256);
        builder.Property(e => e.Outcome).HasColumnName("outcome").HasMaxLength(16);
        builder.HasIndex(e => e.Outcome);
        builder.Property(e => e.Status).HasColumnName("status");
        builder.Property(e => e.ClientAddress).HasColumnName("client_address").HasMaxLength(64);
        builder.Property(e => e.Detail).HasColumnName("detail").HasMaxLength(1024);
    }
}
