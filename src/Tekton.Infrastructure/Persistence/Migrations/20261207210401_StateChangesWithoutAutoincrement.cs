using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// <c>state_changes.id</c> becomes a plain rowid key, without AUTOINCREMENT (which reads and writes
    /// <c>sqlite_sequence</c> on every insert). Written by hand: EF rebuilds the table in three transactions with
    /// foreign keys switched off between them, so a crash part way could leave it without its indexes and the
    /// migration unrecorded; here the rename, copy, drop and indexes are one statement list in the migration's own
    /// transaction. Ids are kept; new ones continue after the largest.
    /// </summary>
    public partial class StateChangesWithoutAutoincrement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, autoincrement: false);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, autoincrement: true);

        private static void Rebuild(MigrationBuilder migrationBuilder, bool autoincrement)
        {
            // The indexes go with the renamed table, and sqlite_sequence's row with its drop.
            migrationBuilder.Sql("""ALTER TABLE "state_changes" RENAME TO "ef_old_state_changes";""");
            migrationBuilder.Sql($"""
                CREATE TABLE "state_changes" (
                    "id" INTEGER NOT NULL CONSTRAINT "PK_state_changes" PRIMARY KEY{(autoincrement ? " AUTOINCREMENT" : string.Empty)},
                    "component_id" TEXT NOT NULL,
                    "component_type" TEXT NOT NULL,
                    "instance_uuid" TEXT NULL,
                    "previous_state" TEXT NULL,
                    "new_state" TEXT NULL,
                    "timestamp" INTEGER NOT NULL,
                    "reason" TEXT NULL,
                    "exit_code" INTEGER NULL,
                    "restart_count" INTEGER NULL,
                    "startup_duration" REAL NULL,
                    "sequence" INTEGER NOT NULL DEFAULT 0
                );
                """);
            migrationBuilder.Sql("""
                INSERT INTO "state_changes" ("id", "component_id", "component_type", "instance_uuid", "previous_state", "new_state", "timestamp", "reason", "exit_code", "restart_count", "startup_duration", "sequence")
                SELECT "id", "component_id", "component_type", "instance_uuid", "previous_state", "new_state", "timestamp", "reason", "exit_code", "restart_count", "startup_duration", "sequence"
                FROM "ef_old_state_changes";
                """);
            migrationBuilder.Sql("""DROP TABLE "ef_old_state_changes";""");
            migrationBuilder.CreateIndex(
                name: "IX_state_changes_component_id_id",
                table: "state_changes",
                columns: ["component_id", "id"]);
            migrationBuilder.CreateIndex(
                name: "IX_state_changes_sequence",
                table: "state_changes",
                column: "sequence");
        }
    }
}
