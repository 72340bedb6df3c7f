using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Tekton.Application.Common;
using Tekton.Application.Models;
using Tekton.Application.Security;
using Tekton.Domain.Components;

namespace Tekton.Infrastructure.Persistence;

public sealed class TektonDbContext(DbContextOptions<TektonDbContext> options) : DbContext(options), ITektonDbContext
{
    public DbSet<Component> Components => Set<Component>();

    public DbSet<ComponentInstance> Instances => Set<ComponentInstance>();

    public DbSet<StateChange> StateChanges => Set<StateChange>();

    public DbSet<StoredModel> Models => Set<StoredModel>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Application.Components.RegistrationReplay> RegistrationReplays => Set<Application.Components.RegistrationReplay>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<EventSequenceReservation> EventSequenceReservations => Set<EventSequenceReservation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TektonDbContext).Assembly);
        if (Database.IsSqlite())
        {
            // A state change's id is SQLite's rowid, without AUTOINCREMENT: that keyword reads and writes the
            // sqlite_sequence table on every insert, only to keep an id from being used again after the largest is
            // deleted, and state changes are never deleted. Ids still grow with each insert.
            // EF 10 leaves a strategy of None out of the snapshots it generates: keep the line that sets it on
            // StateChange.Id in the snapshot when adding a migration (SqliteMigrationsTests fails without it).
            modelBuilder.Entity<StateChange>().Property(s => s.Id).Metadata.SetValueGenerationStrategy(SqliteValueGenerationStrategy.None);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Times are stored as UTC ticks: exact, sortable, and the same on every provider.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<ComponentState>().HaveConversion<string>().HaveMaxLength(16);
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks,
        ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
}
