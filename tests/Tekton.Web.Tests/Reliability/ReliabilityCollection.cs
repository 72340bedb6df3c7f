namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// The reliability suites (crashes, faults, fuzzing) load the machine on purpose; they run alone, after the
/// other classes, so that their load does not turn other tests' timeouts into failures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";
}
