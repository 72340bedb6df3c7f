using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tekton.Application.Common;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>
/// The models added through the API: written to the <c>models</c> table (committed before the answer, so an
/// acknowledged write survives a crash), then put into the catalog. Writes are rare, so they are serialized
/// here rather than going through the registry's group-commit writer.
/// </summary>
public sealed class ModelStore(IServiceScopeFactory scopes, ModelCatalog catalog, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Loads the stored models into the catalog (at boot).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
        var stored = await db.Models.AsNoTracking().ToListAsync(cancellationToken);
        catalog.LoadApi(stored.Select(s => s.ToModel()));
    }

    /// <summary>Adds or replaces a model; true when it was new.</summary>
    public async Task<bool> PutAsync(Model model, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
            var row = await db.Models.FindAsync([model.Id], cancellationToken);
            var created = row is null;
            if (row is null)
            {
                row = new StoredModel { Id = model.Id, Provider = model.Provider };
                db.Models.Add(row);
            }

            row.CopyFrom(model, clock.GetUtcNow());
            await SaveAsync(db);
            catalog.PutApi(row.ToModel());
            return created;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a model added through the API; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
            if (await db.Models.FindAsync([id], cancellationToken) is not { } row)
            {
                return false;
            }

            db.Models.Remove(row);
            await SaveAsync(db);
            catalog.RemoveApi(id);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Commits without the request's cancellation: once begun, a write either lands or fails whole.</summary>
    private static async Task SaveAsync(ITektonDbContext db)
    {
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException exception)
        {
            throw new RegistryWriteFailedException($"The model could not be stored: {exception.GetBaseException().Message}", exception);
        }
    }
}
