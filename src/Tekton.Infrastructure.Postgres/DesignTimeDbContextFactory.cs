using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Infrastructure.Postgres;

/// <summary>
/// Lets <c>dotnet ef migrations add --project src/Tekton.Infrastructure.Postgres</c> build the PostgreSQL model
/// without a server: adding a migration never connects.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<TektonDbContext>
{
    public TektonDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TektonDbContext>()
            .UseNpgsql("Host=localhost;Database=tekton_design", npgsql => npgsql.MigrationsAssembly(DependencyInjection.PostgresMigrationsAssembly))
            .Options);
}
