using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tekton.Application.Security;
using Tekton.Infrastructure.Persistence;
using Tekton.Infrastructure.Security;

namespace Tekton.Infrastructure.Cluster;

/// <summary>
/// The HS256 key of tokens for nodes sharing a PostgreSQL database: one row of <c>cluster_secrets</c>, made by the
/// first node that starts and read by every other, so a token issued by one node is accepted by all. Loaded at
/// start, after the migrations and before the server listens; not used when <c>Tekton:Auth:SigningKey</c> is set.
/// </summary>
internal sealed class DatabaseSigningKey(IDbContextFactory<TektonDbContext> contexts, IOptions<AuthOptions> options)
    : IHostedService, ISigningKeySource
{
    public const string Name = "jwt_signing_key";

    private byte[]? _key;

    public byte[] Key => _key ?? throw new InvalidOperationException("The token signing key is read from the database at start; it was not loaded.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.Value.SigningKey))
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Two statements: the insert of the first node to get here wins, and the select (a new snapshot) reads
        // the winner's key, whichever node that was.
        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO cluster_secrets (name, value) VALUES ({Name}, {candidate}) ON CONFLICT (name) DO NOTHING", cancellationToken);
        var stored = await db.Database.SqlQuery<string>($"""SELECT value AS "Value" FROM cluster_secrets WHERE name = {Name}""")
            .SingleAsync(cancellationToken);
        _key = Convert.FromBase64String(stored);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
