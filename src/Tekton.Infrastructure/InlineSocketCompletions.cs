using System.Diagnostics;

namespace Tekton.Infrastructure;

/// <summary>
/// Tekton runs its sockets' completions on the runtime's socket event threads instead of handing each one to the
/// thread pool: one thread switch less per request, and 5–20% less CPU per request, measured
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
    private static string? _given;

    /// <summary>
    /// Turns them on for this process unless the variable is set (an empty value counts as unset); call it before
    /// the first socket.
    /// </summary>
    public static void PreferForThisProcess()
    {
        var given = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(given))
        {
            _given = given;
            Environment.SetEnvironmentVariable(Variable, "1");
            _setHere = true;
        }
    }

    /// <summary>Gives a child the variable as this process was given it, not the value it set for itself.</summary>
    public static void KeepOutOf(ProcessStartInfo start)
    {
        if (!_setHere)
        {
            return;
        }

        if (_given is null)
        {
            start.Environment.Remove(Variable);
        }
        else
        {
            start.Environment[Variable] = _given;
        }
    }
}
