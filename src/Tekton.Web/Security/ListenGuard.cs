using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Tekton.Application.Security;

namespace Tekton.Web.Security;

/// <summary>
/// With auth off Tekton answers anyone who reaches it as an Admin, so it must listen on loopback only (design §11).
/// The configured addresses are checked before Kestrel binds (<see cref="StartingAsync"/>) and the bound ones after
/// (<see cref="StartedAsync"/>, for addresses set in code); either way a non-loopback address stops the start.
/// </summary>
public sealed class ListenGuard(IConfiguration configuration, IServer server, IOptions<AuthOptions> auth) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!auth.Value.Enabled)
        {
            var configured = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
            // HTTP_PORTS / HTTPS_PORTS mean every address, and apply only when no URL is configured.
            var ports = string.IsNullOrWhiteSpace(configuration["urls"])
                ? new[] { configuration["http_ports"], configuration["https_ports"] }.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => $"http://*:{p}")
                : [];
            Check(configured.Concat(ports));
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!auth.Value.Enabled)
        {
            Check(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void Check(IEnumerable<string> urls)
    {
        var open = urls.Where(url => !IsLoopbackUrl(url)).ToList();
        if (open.Count > 0)
        {
            throw new RefusedToStartException(
                $"Tekton is configured to listen on {string.Join(", ", open)} with authentication off, which would let anyone who can reach it act as an Admin. " +
                "Either turn authentication on (--Tekton:Auth:Enabled=true, or the environment variable Tekton__Auth__Enabled=true; see docs/security.md) " +
                "or listen on loopback only (e.g. --urls http://127.0.0.1:8010).");
        }
    }

    public static bool IsLoopbackUrl(string url)
    {
        // Kestrel's wildcards (* and +) are not valid URI hosts; they mean every address.
        var authority = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = authority.Split('/')[0];
        host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
        return host is not ("*" or "+" or "") && ComponentScope.IsLoopback(host);
    }
}

/// <summary>A configuration Tekton will not start with; Program prints the message without a stack trace.</summary>
public sealed class RefusedToStartException(string message) : Exception(message)
{
    /// <summary>The refusal inside what the host threw (it may wrap start failures in an AggregateException).</summary>
    public static RefusedToStartException? Find(Exception exception) => exception switch
    {
        RefusedToStartException refused => refused,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(e => e is not null),
        _ when exception.InnerException is not null => Find(exception.InnerException),
        _ => null,
    };
}
