using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tekton.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the web host.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<TektonDbContext>
{
    public TektonDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TektonDbContext>()
            .UseSqlite($"Data Source={Path.Combine(Path.GetTempPath(), "tekton-design.db")}")
            .Options);
}
