using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tekton.Infrastructure.Persistence.Configurations;

internal sealed class EventSequenceReservationConfiguration : IEntityTypeConfiguration<EventSequenceReservation>
{
    public void Configure(EntityTypeBuilder<EventSequenceReservation> builder)
    {
        builder.ToTable("event_sequence");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(r => r.ReservedThrough).HasColumnName("reserved_through");
    }
}
