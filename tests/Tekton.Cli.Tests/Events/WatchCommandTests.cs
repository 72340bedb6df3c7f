using System.Text.Json;
using Tekton.Client;

namespace Tekton.Cli.Tests.Events;

[Collection(TektonCollection.Name)]
public sealed class WatchCommandTests(OpenTekton tekton)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Watch_state_with_json_prints_a_registration_made_after_it_subscribed_as_the_server_sent_it()
    {
        await using var watch = tekton.Cli.Start("watch", "state", "--json");
        await watch.WaitForErrorAsync(line => line.StartsWith("watching the state changes of all components", StringComparison.Ordinal), Patience);
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(Registrations.Component("watched", "watched-type"));

        var line = await watch.WaitForOutputAsync(line => line.Contains("\"watched\"", StringComparison.Ordinal), Patience);

        using var change = JsonDocument.Parse(line);
        change.RootElement.GetProperty("event").GetString().Should().Be("state_change");
        change.RootElement.GetProperty("component_id").GetString().Should().Be("watched");
        change.RootElement.GetProperty("previous_state").GetString().Should().Be("unregistered");
        change.RootElement.GetProperty("new_state").GetString().Should().Be("registered");
        change.RootElement.GetProperty("sequence").GetInt64().Should().BePositive();
        (await watch.TerminateAsync(Patience)).Should().Be(0, "SIGTERM ends a watch normally");
    }

    [Fact]
    public async Task Watch_heartbeats_of_one_component_prints_a_line_per_heartbeat_with_its_metrics()
    {
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(Registrations.Component("beating"));
        await client.RegisterComponentAsync(Registrations.Component("other-beating"));
        await using var watch = tekton.Cli.Start("watch", "heartbeats", "beating");
        await watch.WaitForErrorAsync(line => line.StartsWith("watching the heartbeats of beating", StringComparison.Ordinal), Patience);

        await client.SendHeartbeatAsync("other-beating");
        await client.SendHeartbeatAsync("beating", new Heartbeat { Status = "ready", Metrics = new Dictionary<string, object?> { ["cpu_percent"] = 12.5 } });

        var line = await watch.WaitForOutputAsync(line => line.Contains(" beating heartbeat ", StringComparison.Ordinal), Patience);
        line.Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z beating heartbeat ready cpu_percent=12.5$");
        (await watch.TerminateAsync(Patience)).Should().Be(0);
        watch.StandardOutput.Should().ContainSingle("the other component's heartbeat is not watched");
    }
}
