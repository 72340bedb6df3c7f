using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tekton.Infrastructure.Persistence;

#nullable disable

namespace Tekton.Infrastructure.Postgres.Migrations
{
    /// <summary>
    /// Secrets every node of the cluster shares (the signing key of tokens, DatabaseSigningKey): outside the EF
    /// model, read and written with SQL, like the leases.
    /// </summary>
    [DbContext(typeof(TektonDbContext))]
    [Migration("20261125070000_ClusterSecrets")]
    public partial class ClusterSecrets : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE cluster_secrets (
                    name text PRIMARY KEY,
                    value text NOT NULL
                );
                """);

        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP TABLE cluster_secrets;");
    }
}
