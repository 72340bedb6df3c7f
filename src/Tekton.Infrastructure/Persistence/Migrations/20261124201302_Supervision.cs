using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tekton.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Supervision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "exit_code",
                table: "state_changes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "restart_count",
                table: "state_changes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "startup_duration",
                table: "state_changes",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "exit_code",
                table: "instances",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "launched_at",
                table: "instances",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "pid",
                table: "instances",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "process_start_ticks",
                table: "instances",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "restart_count",
                table: "instances",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "restart_history",
                table: "instances",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "autostart",
                table: "components",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "launch",
                table: "components",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "exit_code",
                table: "state_changes");

            migrationBuilder.DropColumn(
                name: "restart_count",
                table: "state_changes");

            migrationBuilder.DropColumn(
                name: "startup_duration",
                table: "state_changes");

            migrationBuilder.DropColumn(
                name: "exit_code",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "launched_at",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "pid",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "process_start_ticks",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "restart_count",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "restart_history",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "autostart",
                table: "components");

            migrationBuilder.DropColumn(
                name: "launch",
                table: "components");
        }
    }
}
