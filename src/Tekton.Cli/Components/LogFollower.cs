namespace Tekton.Cli.Components;

/// <summary>
/// Decides which lines of a polled log window are new. The logs endpoint answers the last N lines and no
/// position, so each window is matched against the previous one: the longest end of the previous window that
/// the new window starts with is what was seen already, and the lines after it are new. While the log is
/// shorter than the window, the new window starts with the whole previous one, so the answer is exact even for
/// repeated lines. Once the log outgrows the window, identical lines can make the match too long (new lines
/// then go unprinted), and more new lines than the window holds leave a gap. A window of another instance is
/// new as a whole.
/// </summary>
internal sealed class LogFollower
{
    private IReadOnlyList<string> _window = [];
    private Guid? _instance;

    /// <summary>The instance whose lines were seen last.</summary>
    public Guid? Instance => _instance;

    /// <summary>Records <paramref name="window"/> as seen and returns the lines in it that were not seen before.</summary>
    public IReadOnlyList<string> Next(Guid? instance, IReadOnlyList<string> window)
    {
        var seen = instance == _instance ? Overlap(_window, window) : 0;
        _instance = instance;
        _window = window;
        return window.Skip(seen).ToList();
    }

    /// <summary>The length of the longest end of <paramref name="previous"/> that <paramref name="next"/> starts with.</summary>
    public static int Overlap(IReadOnlyList<string> previous, IReadOnlyList<string> next)
    {
        for (var length = Math.Min(previous.Count, next.Count); length > 0; length--)
        {
            var start = previous.Count - length;
            var matches = true;
            for (var i = 0; i < length && matches; i++)
            {
                matches = string.Equals(previous[start + i], next[i], StringComparison.Ordinal);
            }

            if (matches)
            {
                return length;
            }
        }

        return 0;
    }
}
