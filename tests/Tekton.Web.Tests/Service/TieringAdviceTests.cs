using Tekton.Web.Infrastructure;

namespace Tekton.Web.Tests.Service;

/// <summary>On one CPU without the tiering setting, Tekton says at start how to get its full speed (docs/operations.md).</summary>
public sealed class TieringAdviceTests
{
    private const string Setting = "DOTNET_TC_CallCountingDelayMs";

    [Theory]
    [InlineData(1, null, null, true)]
    [InlineData(2, null, null, false)]
    [InlineData(16, null, null, false)]
    [InlineData(1, "DOTNET_TC_CallCountingDelayMs", "0", false)]
    [InlineData(1, "COMPlus_TC_CallCountingDelayMs", "0", false)]
    [InlineData(1, "DOTNET_TC_CallCountingDelayMs", "", true)]
    [InlineData(1, "DOTNET_TieredCompilation", "0", false)]
    [InlineData(1, "DOTNET_TieredCompilation", "1", true)]
    [InlineData(1, "DOTNET_TC_AggressiveTiering", "1", false)]
    [InlineData(1, "DOTNET_TC_AggressiveTiering", "0", true)]
    [InlineData(1, "DOTNET_TieredPGO", "0", true)]
    public void Advises_on_one_cpu_unless_tiering_is_already_set(int processors, string? name, string? value, bool advised)
    {
        var environment = new Dictionary<string, string>();
        if (name is not null)
        {
            environment[name] = value!;
        }

        TieringAdvice.ShouldAdvise(processors, environment.GetValueOrDefault).Should().Be(advised);
    }

    [Fact]
    public async Task A_tekton_process_on_one_cpu_logs_the_advice_and_not_once_the_setting_is_given()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-tiering-").FullName;
        try
        {
            // DOTNET_PROCESSOR_COUNT is what the runtime then reports as the process's CPUs.
            await using (var plain = await TektonProcess.StartAsync(
                Path.Combine(directory, "plain.db"), new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "1", [Setting] = "" }))
            {
                await StartedAsync(plain);
                plain.Output.Should().Contain($"{Setting}=0");
            }

            await using var tuned = await TektonProcess.StartAsync(
                Path.Combine(directory, "tuned.db"), new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "1", [Setting] = "0" });
            await StartedAsync(tuned);
            tuned.Output.Should().NotContain(Setting);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The host logs "Application started" once every hosted service has started, the advice's included.</summary>
    private static async Task StartedAsync(TektonProcess tekton)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!tekton.Output.Contains("Application started", StringComparison.Ordinal))
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
