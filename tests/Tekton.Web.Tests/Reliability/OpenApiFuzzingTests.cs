using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, item 3: every operation of the OpenAPI document, with valid and mutated requests from a seed
/// (TEKTON_FUZZ_SEED replays one), answers within its contract.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class OpenApiFuzzingTests(ITestOutputHelper output)
{
    /// <summary>Nothing the fuzzer registers may make Tekton reach beyond loopback or wait on a probe.</summary>
    public static readonly Dictionary<string, string?> Quiet = new()
    {
        ["Tekton:Supervision:HealthCheckIntervalSeconds"] = "3600",
        ["Tekton:Ollama:Enabled"] = "false",
        ["Tekton:Auth:RequestsPerSecond"] = "1000000",
        ["Tekton:Auth:Burst"] = "1000000",
    };

    [Fact]
    public async Task Every_operation_answers_within_its_contract()
    {
        var seed = Seed();
        await using var server = await TektonServer.StartAsync(Quiet);
        var fuzzer = await OpenApiFuzzer.ForAsync(server.Client);
        var watch = Stopwatch.StartNew();

        await fuzzer.RunAsync(seed, requests: 10_400, workers: 8);
        await OpenApiFuzzer.CleanUpAsync(server.Client);

        Report(fuzzer, seed, watch.Elapsed);
        fuzzer.Failures.Should().BeEmpty($"seed {seed} (set TEKTON_FUZZ_SEED={seed} to replay):\n{string.Join("\n\n", fuzzer.Failures.Take(8))}");
        fuzzer.Sent.Should().BeGreaterThanOrEqualTo(10_000);
        fuzzer.PerOperation.Keys.Should().BeEquivalentTo(fuzzer.Operations.Select(o => o.Id), "every operation is fuzzed");
    }

    [Fact]
    public async Task Every_operation_answers_within_its_contract_with_auth_on()
    {
        var seed = Seed();
        await using var secured = await SecuredTekton.StartAsync(Quiet);
        using var admin = secured.ClientFor(SecuredTekton.AdminKey);
        using var anonymous = secured.ClientFor(null);
        var fuzzer = await OpenApiFuzzer.ForAsync(anonymous);
        string?[] others =
        [
            null, "Bearer tk_not-a-key-0123456789abcdef", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "Basic Zm9vOmJhcg==",
            "Bearer " + new string('a', 4000), "Bearer", $"Bearer {secured.ComponentKey}", $"Bearer {secured.MonitorKey}", $"Bearer {secured.UserKey}",
        ];
        var watch = Stopwatch.StartNew();

        // Mostly the Admin key, so the operations run; otherwise missing, broken, forged or too weak credentials.
        await fuzzer.RunAsync(seed, requests: 2_500, workers: 8, random => random.Next(100) < 80
            ? $"Bearer {SecuredTekton.AdminKey}"
            : others[random.Next(others.Length)]);
        await OpenApiFuzzer.CleanUpAsync(admin);

        Report(fuzzer, seed, watch.Elapsed);
        fuzzer.Failures.Should().BeEmpty($"seed {seed} (set TEKTON_FUZZ_SEED={seed} to replay):\n{string.Join("\n\n", fuzzer.Failures.Take(8))}");
        fuzzer.Sent.Should().BeGreaterThanOrEqualTo(2_500);
    }

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("TEKTON_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();

    private void Report(OpenApiFuzzer fuzzer, int seed, TimeSpan elapsed)
    {
        output.WriteLine($"seed {seed}: {fuzzer.Sent} requests in {elapsed.TotalSeconds:0.0} s, {fuzzer.Abandoned} documented waits abandoned after 3 s");
        output.WriteLine("  statuses: " + string.Join(", ", fuzzer.Statuses.OrderBy(p => p.Key).Select(p => $"{p.Key} × {p.Value}")));
        foreach (var (operation, count) in fuzzer.PerOperation.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {operation}: {count}, {fuzzer.Succeeded.GetValueOrDefault(operation)} succeeded");
        }
    }
}
