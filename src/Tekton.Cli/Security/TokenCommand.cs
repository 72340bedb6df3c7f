using System.CommandLine;
using System.Globalization;
using Tekton.Cli.CommandLine;

namespace Tekton.Cli.Security;

/// <summary><c>tekton token</c>: exchanges the API key for a JWT access token.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Exchange the API key (--api-key or TEKTON_API_KEY) for a JWT access token; prints the token alone.");
        command.SetHandler(async (context, cancellationToken) =>
        {
            if (context.Client.ApiKey is null)
            {
                throw new UsageException("no API key to exchange: pass --api-key or set TEKTON_API_KEY.");
            }

            var token = await context.Client.IssueTokenAsync(cancellationToken: cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(token);
                return ExitCodes.Ok;
            }

            // The token alone on stdout, so that TEKTON_API_KEY=$(tekton token) works.
            context.Output.Line(token.Token);
            context.Output.Note($"{token.TokenType} token of role {token.Role}{(token.ComponentId is { } id ? $" for {id}" : "")}, " +
                $"expires in {token.ExpiresIn.ToString(CultureInfo.InvariantCulture)} s");
            return ExitCodes.Ok;
        });
        return command;
    }
}
