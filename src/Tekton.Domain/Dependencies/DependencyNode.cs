namespace Tekton.Domain.Dependencies;

/// <summary>A component as the dependency graph sees it: its id and the ids it declares as dependencies.</summary>
public readonly record struct DependencyNode(string Id, IReadOnlyList<string> Dependencies);
