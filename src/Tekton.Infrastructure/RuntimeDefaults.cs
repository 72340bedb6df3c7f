using System.Diagnostics;

namespace Tekton.Infrastructure;

/// <summary>
/// Runtime settings Tekton chooses for itself, each read by the runtime from its environment variable when first
/// needed, so Tekton sets them at start unless the operator set them (docs/operations.md). What it set for itself is
/// not passed on to the processes it launches, which get the environment Tekton was given.
/// <list type="bullet">
/// <item><see cref="InlineCompletions"/>: sockets' completions run on the runtime's socket event threads instead of
/// being handed to the thread pool: one thread switch less per request, and 5–20% less CPU per request, measured
/// (docs/performance-notes.md). Read when the process's first socket waits; <c>0</c> turns it off.</item>
/// <item><see cref="PooledArraysPerCpu"/>: how many arrays of each size the shared array pool keeps per CPU (the
/// runtime's default is 32). Every hub connection's outgoing pipe rents a 4 KiB buffer from that pool for each
/// message and returns it once sent; an event written to a thousand connections at once had some 900 of those
/// buffers out together, and each one the pool could not keep was garbage: about 190 MB a second under the fan-out
/// benchmark. Read when the pool is first used.</item>
/// </list>
/// </summary>
public static class RuntimeDefaults
{
    /// <summary>The runtime's variable for inline socket completions; "1" turns them on.</summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The runtime's variable for the arrays of each size the shared pool keeps per CPU.</summary>
    public const string PooledArraysPerCpu = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    private static readonly (string Variable, string Value)[] Preferred = [(InlineCompletions, "1"), (PooledArraysPerCpu, "1024")];

    /// <summary>The variables set here, each with what the process was given (null when absent, or empty).</summary>
    private static volatile (string Variable, string? Given)[] _setHere = [];

    /// <summary>
    /// Sets each variable this process was not given (an empty value counts as unset); call it first thing, before
    /// the first socket and the first pooled array.
    /// </summary>
    public static void PreferForThisProcess()
    {
        var setHere = new List<(string, string?)>();
        foreach (var (variable, value) in Preferred)
        {
            var given = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(given))
            {
                Environment.SetEnvironmentVariable(variable, value);
                setHere.Add((variable, given));
            }
        }

        _setHere = [.. setHere];
    }

    /// <summary>Gives a child the variables as this process was given them, not the values it set for itself.</summary>
    public static void KeepOutOf(ProcessStartInfo start)
    {
        foreach (var (variable, given) in _setHere)
        {
            if (given is null)
            {
                start.Environment.Remove(variable);
            }
            else
            {
                start.Environment[variable] = given;
            }
        }
    }
}
