using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Models : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "models",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    capabilities = table.Column<string>(type: "TEXT", nullable: false),
                    tier = table.Column<int>(type: "INTEGER", nullable: false),
                    context_window = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    priority = table.Column<int>(type: "INTEGER", nullable: true),
                    cost_per_1k_tokens = table.Column<double>(type: "REAL", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_models", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "models");
        }
    }
}
