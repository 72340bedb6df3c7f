using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tekton.Infrastructure.Persistence;

#nullable disable

namespace Tekton.Infrastructure.Postgres.Migrations
{
    /// <summary>
    /// The live nodes (NodePresence): one row per node name, held by one process and renewed like a lease, so a
    /// second process with the same name refuses to start. Outside the EF model, like the leases.
    /// </summary>
    [DbContext(typeof(TektonDbContext))]
    [Migration("20261125080000_ClusterNodes")]
    public partial class ClusterNodes : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE cluster_nodes (
                    name text PRIMARY KEY,
                    process uuid NOT NULL,
                    seen_at timestamptz NOT NULL
                );
                """);

        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP TABLE cluster_nodes;");
    }
}
