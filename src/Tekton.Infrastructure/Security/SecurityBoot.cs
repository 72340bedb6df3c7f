using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Security;
using Tekton.Domain.Security;

namespace Tekton.Infrastructure.Security;

/// <summary>
/// Loads the API keys at start and, with auth on and no key at all, creates the bootstrap Admin key: the one in
/// <c>TEKTON_BOOTSTRAP_ADMIN_KEY</c>, or a new one written to <c>bootstrap-admin.key</c> (mode 0600) in the data
/// folder. Then writes the keys' last-used times behind, every 30 seconds and at shutdown.
/// </summary>
internal sealed partial class SecurityBoot(
    ApiKeys keys,
    IOptions<AuthOptions> options,
    IConfiguration configuration,
    DataFolder dataFolder,
    TimeProvider clock,
    ILogger<SecurityBoot> logger) : PeriodicService(clock, logger)
{
    public const string BootstrapVariable = "TEKTON_BOOTSTRAP_ADMIN_KEY";
    public const string BootstrapFile = "bootstrap-admin.key";
    private const string GenerateCommand = "echo tk_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')";

    // A field, not the captured parameter: the parameter also goes to the base class.
    private readonly ILogger<SecurityBoot> _logger = logger;

    protected override TimeSpan Period => TimeSpan.FromSeconds(30);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await keys.LoadAsync(cancellationToken);
        if (options.Value.Enabled && keys.Count == 0)
        {
            await BootstrapAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await keys.FlushLastUsedAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // A host stopped twice at once (as WebApplicationFactory does, beside the entry point's own Run) can
            // dispose the services under this last flush. Last-used times are advisory, as after a crash: skip it.
        }
    }

    protected override Task TickAsync(CancellationToken cancellationToken) => keys.FlushLastUsedAsync(cancellationToken);

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        if (configuration[BootstrapVariable] is { Length: > 0 } given)
        {
            // Only tk_ values are looked up as keys (the rest are read as tokens): without it the Admin would be locked out.
            if (!given.StartsWith(ApiKey.SecretPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{BootstrapVariable} must start with '{ApiKey.SecretPrefix}' (an API key: {ApiKey.SecretPrefix} and at least 21 more characters, no spaces); generate one with: {GenerateCommand}.");
            }

            if (given.Length < 24 || given.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new InvalidOperationException($"{BootstrapVariable} must be at least 24 characters without spaces; generate one with: {GenerateCommand}.");
            }

            await keys.CreateAsync("bootstrap", Role.Admin, null, given, cancellationToken);
            LogBootstrapFromVariable(BootstrapVariable);
            return;
        }

        var (_, secret) = await keys.CreateAsync("bootstrap", Role.Admin, null, null, cancellationToken);
        var path = Path.Combine(dataFolder.Path, BootstrapFile);
        SecretFile.Write(path, secret + "\n");
        LogBootstrapWritten(path);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth is on and there were no API keys: an Admin key was created and written to {Path} (readable by this user only). Use it to create other keys, then delete the file.")]
    private partial void LogBootstrapWritten(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth is on and there were no API keys: the Admin key in {Variable} was stored")]
    private partial void LogBootstrapFromVariable(string variable);
}

/// <summary>The folder holding the database file, where Tekton also keeps its secrets.</summary>
internal sealed record DataFolder(string Path);
