using System.CommandLine;
using Spectre.Console;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Security;

/// <summary><c>tekton keys create|list|revoke</c>: API keys (an Admin key is needed when auth is on).</summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Create, list and revoke API keys (Admin).")
    {
        CreateKey(),
        ListKeys(),
        RevokeKey(),
    };

    private static Command CreateKey()
    {
        var name = new Option<string>("--name") { Description = "What the key is for", Required = true };
        var role = new Option<string>("--role") { Description = "admin, component, monitor or user", Required = true }
            .AcceptOnlyFromAmong(TektonRoles.Admin, TektonRoles.Component, TektonRoles.Monitor, TektonRoles.User);
        var componentId = new Option<string?>("--component-id") { Description = "The component a component key acts as (component role only)" };
        var command = new Command("create", "Create an API key; its secret is shown only once.") { name, role, componentId };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var key = await context.Client.CreateApiKeyAsync(context.Get(name)!, context.Get(role)!, context.Get(componentId), cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(key);
                return ExitCodes.Ok;
            }

            var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            grid.AddRow("[bold]id[/]", Output.Text(key.Id));
            grid.AddRow("[bold]name[/]", Output.Text(key.Name));
            grid.AddRow("[bold]role[/]", Output.Text(key.Role));
            grid.AddRow("[bold]component[/]", Output.Text(key.ComponentId));
            grid.AddRow("[bold]api key[/]", Output.Text(key.ApiKey));
            context.Output.Write(grid);
            context.Output.Note("The api key is shown only now: keep it.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListKeys()
    {
        var command = new Command("list", "List the API keys, without their secrets.");
        command.SetHandler(async (context, cancellationToken) =>
        {
            var keys = await context.Client.ListApiKeysAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new KeyList(keys));
                return ExitCodes.Ok;
            }

            var now = DateTimeOffset.UtcNow;
            var table = Output.Table("ID", "NAME", "ROLE", "COMPONENT", "PREFIX", "CREATED", "LAST USED");
            foreach (var key in keys)
            {
                table.AddRow(
                    Output.Text(key.Id),
                    Output.Text(key.Name),
                    Output.Text(key.Role),
                    Output.Text(key.ComponentId),
                    Output.Text(key.Prefix),
                    Formats.Time(key.CreatedAt),
                    Formats.Age(key.LastUsedAt, now));
            }

            context.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RevokeKey()
    {
        var keyId = new Argument<string>("key-id") { Description = "The key's id (key_…), as keys list shows it" };
        var command = new Command("revoke", "Revoke an API key and every token issued for it.") { keyId };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var id = context.Get(keyId);
            var result = await context.Client.RevokeApiKeyAsync(id, cancellationToken);
            context.Output.Result(result, $"{id}: {result.Message}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The body of <c>GET /api/tekton/auth/keys</c>.</summary>
    private sealed record KeyList(IReadOnlyList<ApiKeyInfo> Keys);
}
