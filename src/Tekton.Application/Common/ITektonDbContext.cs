using Microsoft.EntityFrameworkCore;
using Tekton.Application.Models;
using Tekton.Application.Security;
using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>The database as use cases see it: handlers query and change these sets directly (no repositories).</summary>
public interface ITektonDbContext
{
    DbSet<Component> Components { get; }

    DbSet<ComponentInstance> Instances { get; }

    DbSet<StateChange> StateChanges { get; }

    DbSet<StoredModel> Models { get; }

    DbSet<ApiKey> ApiKeys { get; }

    DbSet<Components.RegistrationReplay> RegistrationReplays { get; }

    DbSet<AuditEntry> AuditEntries { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}
