namespace Tekton.Web.Infrastructure;

/// <summary>
/// On one CPU the runtime waits ten times longer (1 s without a new compilation) before it optimizes hot methods,
/// and under a steady load Tekton then serves from unoptimized code for a long time: registrations ran at half
/// their rate (docs/operations.md, "Tiered compilation on one CPU"). The setting that fixes it can only come from
/// the environment, so Tekton says so at start when it runs on one CPU without it.
/// </summary>
internal sealed class TieringAdvice(ILogger<TieringAdvice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ShouldAdvise(Environment.ProcessorCount, Environment.GetEnvironmentVariable))
        {
            logger.LogWarning(
                "Tekton runs on one CPU, where .NET optimizes hot code only after 1 s without new compilations; start it with " +
                "DOTNET_TC_CallCountingDelayMs=0 in the environment for up to twice the throughput (docs/operations.md, \"Tiered compilation on one CPU\").");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One CPU, tiered compilation on, and no call-counting delay or aggressive tiering set.</summary>
    public static bool ShouldAdvise(int processorCount, Func<string, string?> environment)
    {
        // The runtime reads DOTNET_ first, then the older COMPlus_; an empty value counts as unset.
        string? Setting(string name) =>
            environment("DOTNET_" + name) is { Length: > 0 } value ? value : environment("COMPlus_" + name) is { Length: > 0 } old ? old : null;

        return processorCount == 1
            && Setting("TieredCompilation") is not "0"
            && Setting("TC_CallCountingDelayMs") is null
            && Setting("TC_AggressiveTiering") is null or "0";
    }
}
