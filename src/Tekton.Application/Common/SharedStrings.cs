namespace Tekton.Application.Common;

/// <summary>
/// One copy of each string that many components have in common (types, versions, hosts, capabilities, health
/// check paths, reasons): every registration or load brings its own copies, which would otherwise all stay in
/// memory. Bounded: when it holds <see cref="Capacity"/> strings it starts over, so values that are not common
/// after all (a host per component) cost at most that many entries; what was shared before stays shared.
/// </summary>
public sealed class SharedStrings
{
    public const int Capacity = 4096;

    private readonly HashSet<string> _kept = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The kept copy equal to <paramref name="value"/>; <paramref name="value"/> itself, kept from now on, when there is none.</summary>
    public string Share(string value)
    {
        lock (_lock)
        {
            if (_kept.TryGetValue(value, out var kept))
            {
                return kept;
            }

            if (_kept.Count >= Capacity)
            {
                _kept.Clear();
            }

            _kept.Add(value);
            return value;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _kept.Count;
            }
        }
    }
}
