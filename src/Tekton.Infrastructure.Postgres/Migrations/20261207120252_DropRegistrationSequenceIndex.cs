using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DropRegistrationSequenceIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_components_registration_sequence",
                table: "components");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_components_registration_sequence",
                table: "components",
                column: "registration_sequence");
        }
    }
}
