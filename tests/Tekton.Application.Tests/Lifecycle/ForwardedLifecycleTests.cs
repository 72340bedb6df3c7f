using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;
using static Tekton.Application.Tests.Common.TestComponents;

namespace Tekton.Application.Tests.Lifecycle;

/// <summary>A start or stop another node forwarded is carried out here or refused, never handed on again.</summary>
public sealed class ForwardedLifecycleTests
{
    private readonly RegistryProjection _projection = new();
    private readonly CountingRemote _remote = new();
    private readonly LocalNode _node = new("node-b", Clustered: true);

    public ForwardedLifecycleTests()
    {
        // This node's view: worker runs on node-c (while node-a, which forwarded, thinks it runs here).
        var registry = new Registry();
        registry.Add(Component.Register("worker", Definition() with { Launch = new LaunchSpec { Command = "/bin/true", Node = "node-c" } }, 1, T0));
        _projection.Publish(registry, ["worker"]);
    }

    [Fact]
    public async Task A_start_received_here_for_another_nodes_component_is_forwarded_to_it()
    {
        await Start().Handle(new StartComponent("worker", Wait: false, DependencyTimeout: null), CancellationToken.None);

        _remote.Forwarded.Should().Equal("start worker to node-c");
    }

    [Fact]
    public async Task A_forwarded_start_for_a_component_of_a_third_node_fails_with_1004_instead_of_bouncing()
    {
        var start = async () => await Start().Handle(new StartComponent("worker", Wait: true, DependencyTimeout: null, Forwarded: true), CancellationToken.None);

        var refused = await start.Should().ThrowAsync<TektonException>();
        refused.Which.Code.Should().Be(ErrorCode.StartupFailed);
        refused.Which.Message.Should().Contain("node-b").And.Contain("node-c");
        _remote.Forwarded.Should().BeEmpty();
    }

    [Fact]
    public async Task A_forwarded_stop_for_a_component_of_a_third_node_fails_with_1004_instead_of_bouncing()
    {
        var handler = new StopComponentHandler(null!, _projection, _node, _remote);
        var stop = async () => await handler.Handle(new StopComponent("worker", new StopBody(), Forwarded: true), CancellationToken.None);

        (await stop.Should().ThrowAsync<TektonException>()).Which.Code.Should().Be(ErrorCode.StartupFailed);
        _remote.Forwarded.Should().BeEmpty();
    }

    // The coordinator is never reached: these starts are all decided by the node check.
    private StartComponentHandler Start() => new(null!, Options.Create(new SupervisionOptions()), _projection, _node, _remote);

    private sealed class CountingRemote : IRemoteLifecycle
    {
        public List<string> Forwarded { get; } = [];

        public ValueTask<StartComponentResult> StartAsync(string node, StartComponent command, CancellationToken cancellationToken)
        {
            Forwarded.Add($"start {command.ComponentId} to {node}");
            return ValueTask.FromResult(new StartComponentResult(true, "Component starting", Guid.NewGuid()));
        }

        public ValueTask<OperationResult> StopAsync(string node, StopComponent command, CancellationToken cancellationToken)
        {
            Forwarded.Add($"stop {command.ComponentId} to {node}");
            return ValueTask.FromResult(new OperationResult(true, "Component stopped"));
        }
    }
}
