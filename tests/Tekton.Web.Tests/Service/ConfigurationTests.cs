namespace Tekton.Web.Tests.Service;

/// <summary>Options are validated at start: a bad value stops Tekton with a message that names the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--Tekton:Heartbeats:FlushIntervalSeconds=0", "Tekton:Heartbeats:FlushIntervalSeconds")]
    [InlineData("--Tekton:Database:Provider=Oracle", "Tekton:Database:Provider")]
    [InlineData("--Tekton:Database:MaxBatchSize=-5", "Tekton:Database:MaxBatchSize")]
    public async Task A_bad_setting_refuses_to_start_and_names_the_key(string argument, string key)
    {
        var directory = Directory.CreateTempSubdirectory("tekton-config-").FullName;
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(Path.Combine(directory, "tekton.db"), argument);

            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain(key);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
