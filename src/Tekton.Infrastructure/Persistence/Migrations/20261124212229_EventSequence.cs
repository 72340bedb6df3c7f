using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EventSequence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "sequence",
                table: "state_changes",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Changes recorded before events had sequences keep their order: their id becomes their sequence.
            migrationBuilder.Sql("UPDATE state_changes SET sequence = id;");

            migrationBuilder.CreateTable(
                name: "event_sequence",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    reserved_through = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_event_sequence", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_state_changes_sequence",
                table: "state_changes",
                column: "sequence");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "event_sequence");

            migrationBuilder.DropIndex(
                name: "IX_state_changes_sequence",
                table: "state_changes");

            migrationBuilder.DropColumn(
                name: "sequence",
                table: "state_changes");
        }
    }
}
