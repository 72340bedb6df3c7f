using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RegistrationReplays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "registration_replays",
                columns: table => new
                {
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    component_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    instance_uuid = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<bool>(type: "INTEGER", nullable: false),
                    fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registration_replays", x => x.idempotency_key);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "registration_replays");
        }
    }
}
