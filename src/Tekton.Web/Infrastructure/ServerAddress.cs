using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Tekton.Application.Lifecycle;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// TEKTON_URL for launched processes: <c>Tekton:Url</c> when configured, else the first address Kestrel
/// listens on, with a wildcard host made reachable (0.0.0.0 and [::] become 127.0.0.1).
/// </summary>
internal sealed class ServerAddress(IServer server, IConfiguration configuration) : ITektonAddress
{
    public string Url =>
        configuration["Tekton:Url"]
        ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?
            .Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal)
        ?? "http://127.0.0.1:8010";
}
