using System.Text.Json.Nodes;
using Tekton.Application.Events;
using Tekton.Domain.Components;
using Tekton.Web.Events;

namespace Tekton.Web.Tests.Events;

public sealed class EventJsonTests
{
    [Fact]
    public void A_state_change_encodes_as_the_reference_message()
    {
        var change = new StateChange("rhetor", "llm", Guid.NewGuid(), ComponentState.Initializing, ComponentState.Ready,
            new DateTimeOffset(2025, 4, 30, 15, 15, 30, TimeSpan.Zero), "heartbeat");
        change.Sequenced(42);

        var json = JsonNode.Parse(EventJson.Encode(StateChangeEvent.From(change)))!.AsObject();

        json.Select(p => p.Key).Should().BeEquivalentTo(["event", "sequence", "component_id", "previous_state", "new_state", "timestamp", "metadata"]);
        json["event"]!.GetValue<string>().Should().Be("state_change");
        json["sequence"]!.GetValue<long>().Should().Be(42);
        json["previous_state"]!.GetValue<string>().Should().Be("initializing");
        json["new_state"]!.GetValue<string>().Should().Be("ready");
        json["timestamp"]!.GetValue<string>().Should().Be("2025-04-30T15:15:30Z");
        json["metadata"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(["instance_uuid", "reason"]);
    }
}

public sealed class NoticeJsonTests
{
    [Fact]
    public void Every_notice_encodes_with_its_event_name()
    {
        var notices = new object[]
        {
            new SubscriptionNotice { Event = "subscribed", ComponentId = "all", LatestSequence = 3 },
            new ErrorNotice(1000, "bad"),
            new ResyncRequired(EventChannel.State, 1, 5, 9),
            new HeartbeatReceivedNotice("engram", Guid.NewGuid(), "ready"),
        };

        var names = notices.Select(n => JsonNode.Parse(EventJson.Encode(n))!["event"]!.GetValue<string>());

        names.Should().Equal("subscribed", "error", "resync_required", "heartbeat_received");
    }
}
