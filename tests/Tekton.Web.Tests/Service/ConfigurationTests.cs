namespace Tekton.Web.Tests.Service;

/// <summary>Options are validated at start: a bad value stops Tekton with a message that names the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--Tekton:Heartbeats:FlushIntervalSeconds=0", "Tekton:Heartbeats:FlushIntervalSeconds")]
    [InlineData("--Tekton:Database:Provider=Oracle", "Tekton:Database:Provider")]
    [InlineData("--Tekton:Database:MaxBatchSize=-5", "Tekton:Database:MaxBatchSize")]
    [InlineData("--Tekton:Auth:TokenLifetimeSeconds=5", "Tekton:Auth:TokenLifetimeSeconds")]
    [InlineData("--Tekton:Auth:SigningKey=c2hvcnQ=", "Tekton:Auth:SigningKey")]
    [InlineData("--Tekton:Auth:Burst=0", "Tekton:Auth:RequestsPerSecond and Tekton:Auth:Burst")]
    [InlineData("--Tekton:Limits:MaxComponents=0", "Tekton:Limits:MaxComponents")]
    [InlineData("--Tekton:Audit:MaxEntries=1", "Tekton:Audit:MaxEntries")]
    [InlineData("--Tekton:Node:LeaseSeconds=0", "Tekton:Node:LeaseSeconds")]
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

    [Fact]
    public async Task Postgres_with_a_sqlite_connection_string_refuses_to_start_and_names_the_key()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-config-").FullName;
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(
                Path.Combine(directory, "tekton.db"), new Dictionary<string, string>(), "--Tekton:Database:Provider=Postgres");

            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("Tekton:Database:ConnectionString is not a PostgreSQL connection string");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("TEKTON__HEARTBEATS__FLUSHINTERVALSECONDS")]
    [InlineData("Tekton__Heartbeats__FlushIntervalSeconds")]
    public async Task Settings_are_read_from_environment_variables(string variable)
    {
        var directory = Directory.CreateTempSubdirectory("tekton-config-").FullName;
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(
                Path.Combine(directory, "tekton.db"), new Dictionary<string, string> { [variable] = "-1" });

            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("Tekton:Heartbeats:FlushIntervalSeconds is -1");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
