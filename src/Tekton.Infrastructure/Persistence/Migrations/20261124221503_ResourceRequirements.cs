using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ResourceRequirements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "requirements",
                table: "components",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "requirements",
                table: "components");
        }
    }
}
