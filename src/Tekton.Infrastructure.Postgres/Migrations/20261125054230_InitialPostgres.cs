using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Tekton.Infrastructure.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    component_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    last_used_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<long>(type: "bigint", nullable: false),
                    key_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    actor = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    action = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    path = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    target = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    client_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    detail = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "components",
                columns: table => new
                {
                    component_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    component_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    component_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    version = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    capabilities = table.Column<string[]>(type: "text[]", nullable: false),
                    dependencies = table.Column<string[]>(type: "text[]", nullable: false),
                    host = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    port = table.Column<int>(type: "integer", nullable: true),
                    health_check = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    metadata = table.Column<string>(type: "text", nullable: false),
                    heartbeat_interval = table.Column<double>(type: "double precision", nullable: false),
                    heartbeat_timeout = table.Column<double>(type: "double precision", nullable: false),
                    launch = table.Column<string>(type: "text", nullable: true),
                    autostart = table.Column<bool>(type: "boolean", nullable: false),
                    requirements = table.Column<string>(type: "text", nullable: true),
                    registration_sequence = table.Column<long>(type: "bigint", nullable: false),
                    registered_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_components", x => x.component_id);
                });

            migrationBuilder.CreateTable(
                name: "event_sequence",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    reserved_through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_event_sequence", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "models",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    capabilities = table.Column<string[]>(type: "text[]", nullable: false),
                    tier = table.Column<int>(type: "integer", nullable: false),
                    context_window = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    endpoint = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    priority = table.Column<int>(type: "integer", nullable: true),
                    cost_per_1k_tokens = table.Column<double>(type: "double precision", nullable: true),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "registration_replays",
                columns: table => new
                {
                    idempotency_key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    component_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    instance_uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    created = table.Column<bool>(type: "boolean", nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registration_replays", x => x.idempotency_key);
                });

            migrationBuilder.CreateTable(
                name: "state_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    component_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    component_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    instance_uuid = table.Column<Guid>(type: "uuid", nullable: true),
                    previous_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    new_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    timestamp = table.Column<long>(type: "bigint", nullable: false),
                    reason = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    exit_code = table.Column<int>(type: "integer", nullable: true),
                    restart_count = table.Column<int>(type: "integer", nullable: true),
                    startup_duration = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_state_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "instances",
                columns: table => new
                {
                    instance_uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    component_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    status_changed_at = table.Column<long>(type: "bigint", nullable: false),
                    status_reason = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ready_at = table.Column<long>(type: "bigint", nullable: true),
                    last_heartbeat = table.Column<long>(type: "bigint", nullable: true),
                    reported_health = table.Column<string>(type: "text", nullable: true),
                    pid = table.Column<int>(type: "integer", nullable: true),
                    process_start_ticks = table.Column<long>(type: "bigint", nullable: true),
                    launched_at = table.Column<long>(type: "bigint", nullable: true),
                    restart_count = table.Column<int>(type: "integer", nullable: false),
                    restart_history = table.Column<long[]>(type: "bigint[]", nullable: false),
                    exit_code = table.Column<int>(type: "integer", nullable: true)
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
                name: "IX_api_keys_hash",
                table: "api_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_entries_outcome",
                table: "audit_entries",
                column: "outcome");

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

            migrationBuilder.CreateIndex(
                name: "IX_state_changes_sequence",
                table: "state_changes",
                column: "sequence");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "audit_entries");

            migrationBuilder.DropTable(
                name: "event_sequence");

            migrationBuilder.DropTable(
                name: "instances");

            migrationBuilder.DropTable(
                name: "models");

            migrationBuilder.DropTable(
                name: "registration_replays");

            migrationBuilder.DropTable(
                name: "state_changes");

            migrationBuilder.DropTable(
                name: "components");
        }
    }
}
