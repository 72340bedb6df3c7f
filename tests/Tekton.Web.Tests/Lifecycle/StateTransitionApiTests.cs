using System.Net;

namespace Tekton.Web.Tests.Lifecycle;

/// <summary>Every transition of design §6.1, requested through the API: allowed ones succeed, all others are 1012.</summary>
public sealed class StateTransitionApiTests : IAsyncLifetime
{
    private static readonly string[] States = ["registered", "initializing", "ready", "degraded", "stopping", "stopped", "failed"];

    // The table of design §6.1, written out here independently of the Domain's copy.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["registered"] = ["initializing", "ready", "stopping", "failed"],
        ["initializing"] = ["ready", "failed", "stopping"],
        ["ready"] = ["degraded", "stopping", "failed"],
        ["degraded"] = ["ready", "stopping", "failed"],
        ["stopping"] = ["stopped", "failed"],
        ["stopped"] = ["initializing", "ready"],
        ["failed"] = ["initializing", "stopping", "stopped"],
    };

    // An allowed way from registered to each state.
    private static readonly Dictionary<string, string[]> PathTo = new()
    {
        ["registered"] = [],
        ["initializing"] = ["initializing"],
        ["ready"] = ["ready"],
        ["degraded"] = ["ready", "degraded"],
        ["stopping"] = ["stopping"],
        ["stopped"] = ["stopping", "stopped"],
        ["failed"] = ["failed"],
    };

    private TektonServer _server = null!;

    public static TheoryData<string, string> AllPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var from in States)
        {
            foreach (var to in States)
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(AllPairs))]
    public async Task Requested_transition_is_allowed_exactly_when_the_table_says_so(string from, string to)
    {
        var id = $"t-{from}-{to}";
        var instance = await _server.RegisterAsync(id);
        foreach (var step in PathTo[from])
        {
            using var walk = await _server.PutJsonAsync($"/api/tekton/components/{id}/instances/{instance}/state", $$"""{"state":"{{step}}"}""");
            walk.StatusCode.Should().Be(HttpStatusCode.OK, await walk.Content.ReadAsStringAsync());
        }

        using var response = await _server.PutJsonAsync(
            $"/api/tekton/components/{id}/instances/{instance}/state", $$"""{"state":"{{to}}","reason":"test"}""");

        var status = (await _server.GetObjectAsync($"/api/tekton/components/{id}/status"))["status"]!.GetValue<string>();
        if (from == to || Allowed[from].Contains(to))
        {
            var answer = await response.ReadObjectAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            answer["previous_state"]!.GetValue<string>().Should().Be(from);
            answer["new_state"]!.GetValue<string>().Should().Be(to);
            answer["instance_uuid"]!.GetValue<Guid>().Should().Be(instance);
            status.Should().Be(to);
        }
        else
        {
            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, 1012);
            problem["current_state"]!.GetValue<string>().Should().Be(from);
            problem["requested_state"]!.GetValue<string>().Should().Be(to);
            problem["allowed_states"]!.AsArray().Select(s => s!.GetValue<string>()).Should().BeEquivalentTo(Allowed[from]);
            status.Should().Be(from, "a refused transition changes nothing");
        }
    }
}
