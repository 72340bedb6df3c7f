using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tekton.Application.Models;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class StoredModelConfiguration : IEntityTypeConfiguration<StoredModel>
{
    public void Configure(EntityTypeBuilder<StoredModel> builder)
    {
        builder.ToTable("models");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).HasColumnName("id").HasMaxLength(128).ValueGeneratedNever();
        builder.Property(m => m.Provider).HasColumnName("provider").HasMaxLength(64);
        builder.PrimitiveCollection(m => m.Capabilities).HasColumnName("capabilities");
        builder.Property(m => m.Tier).HasColumnName("tier");
        builder.Property(m => m.ContextWindow).HasColumnName("context_window");
        builder.Property(m => m.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Endpoint).HasColumnName("endpoint").HasMaxLength(2048);
        builder.Property(m => m.Priority).HasColumnName("priority");
        builder.Property(m => m.CostPer1kTokens).HasColumnName("cost_per_1k_tokens");
        builder.Property(m => m.UpdatedAt).HasColumnName("updated_at");
    }
}
