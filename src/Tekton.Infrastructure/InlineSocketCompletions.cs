using System.Diagnostics;

namespace Tekton.Infrastructure;

/// <summary>
/// Tekton runs its sockets' completions on the runtime's socket event threads instead of handing each one to the
/// thread pool: one thread switch less per request, and about a sixth less CPU per request on this stack
/// (docs/performance-notes.md). The runtime reads the setting from its environment variable when the process's first
/// socket waits, so Tekton sets it for itself at start unless the operator set it (<c>0</c> turns it off;
/// docs/operations.md). What it set for itself is not passed on to the processes it launches, which get the
/// environment Tekton was given.
/// </summary>
public static class InlineSocketCompletions
{
    /// <summary>The runtime's variable; "1" turns inline completions on.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static volatile bool _setHere;

    /// <summary>Turns them on for this process unless the variable is set (an empty value counts as unset); call it before the first socket.</summary>
    public static void PreferForThisProcess()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "1");
            _setHere = true;
        }
    }

    /// <summary>Leaves out of a child's environment the value this process set for itself.</summary>
    public static void KeepOutOf(ProcessStartInfo start)
    {
        if (_setHere)
        {
            start.Environment.Remove(Variable);
        }
    }
}
