using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InitialRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "components",
                columns: table => new
                {
                    component_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    component_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    component_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    version = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    capabilities = table.Column<string>(type: "TEXT", nullable: false),
                    dependencies = table.Column<string>(type: "TEXT", nullable: false),
                    host = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    port = table.Column<int>(type: "INTEGER", nullable: true),
                    health_check = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    metadata = table.Column<string>(type: "TEXT", nullable: false),
                    heartbeat_interval = table.Column<double>(type: "REAL", nullable: false),
                    heartbeat_timeout = table.Column<double>(type: "REAL", nullable: false),
                    registration_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    registered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_components", x => x.component_id);
                });

            migrationBuilder.CreateTable(
                name: "state_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    component_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    component_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    instance_uuid = table.Column<Guid>(type: "TEXT", nullable: true),
                    previous_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    new_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_state_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "instances",
                columns: table => new
                {
                    instance_uuid = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    status_changed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    status_reason = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ready_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_heartbeat = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_instances", x => x.instance_uuid);
                    table.ForeignKey(
                        name: "FK_instances_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "component_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_components_registration_sequence",
                table: "components",
                column: "registration_sequence");

            migrationBuilder.CreateIndex(
                name: "IX_instances_component_id",
                table: "instances",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "IX_state_changes_component_id_id",
                table: "state_changes",
                columns: new[] { "component_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "instances");

            migrationBuilder.DropTable(
                name: "state_changes");

            migrationBuilder.DropTable(
                name: "components");
        }
    }
}
