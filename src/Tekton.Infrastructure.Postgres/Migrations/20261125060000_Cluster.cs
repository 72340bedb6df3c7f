using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tekton.Infrastructure.Persistence;

#nullable disable

namespace Tekton.Infrastructure.Postgres.Migrations
{
    /// <summary>
    /// The leases of nodes sharing this database (ExpiryLease): outside the EF model, read and written with SQL,
    /// since only PostgreSQL deployments have several nodes.
    /// </summary>
    [DbContext(typeof(TektonDbContext))]
    [Migration("20261125060000_Cluster")]
    public partial class Cluster : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE cluster_leases (
                    name text PRIMARY KEY,
                    holder text NOT NULL,
                    expires_at timestamptz NOT NULL
                );
                """);

        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP TABLE cluster_leases;");
    }
}
