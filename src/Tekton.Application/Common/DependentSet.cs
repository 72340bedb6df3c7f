using System.Collections;
using System.Collections.Immutable;

namespace Tekton.Application.Common;

/// <summary>
/// The ids of the components that declare one id as a dependency, immutable: held as the one id itself (most ids
/// have a single dependent), as a short array up to <see cref="ArrayLimit"/> ids, and past that as an
/// <see cref="ImmutableHashSet{T}"/>. Every registration with a dependency adds an entry to
/// <see cref="RegistrySnapshot.DependentsById"/>; an immutable hash set of one id was three objects (104 bytes) and
/// three more allocations per change, where this is one object.
/// </summary>
public sealed class DependentSet : IReadOnlyCollection<string>
{
    /// <summary>The most ids held in an array; more go into a hash set, so adding one stays cheap for thousands.</summary>
    public const int ArrayLimit = 8;

    public static readonly DependentSet Empty = new(Array.Empty<string>());

    // A string (one id), a string[] (none, or two up to ArrayLimit, in the order added) or an ImmutableHashSet<string>.
    private readonly object _ids;

    private DependentSet(object ids) => _ids = ids;

    public int Count => _ids switch
    {
        string => 1,
        string[] ids => ids.Length,
        _ => ((ImmutableHashSet<string>)_ids).Count,
    };

    /// <summary>A set of one id.</summary>
    public static DependentSet Of(string id) => new(id);

    public bool Contains(string id) => _ids switch
    {
        string one => string.Equals(one, id, StringComparison.Ordinal),
        string[] ids => Array.IndexOf(ids, id) >= 0,
        _ => ((ImmutableHashSet<string>)_ids).Contains(id),
    };

    /// <summary>This set with <paramref name="id"/>; this set itself when it holds the id already.</summary>
    public DependentSet Add(string id)
    {
        if (Contains(id))
        {
            return this;
        }

        return _ids switch
        {
            string one => new DependentSet(new[] { one, id }),
            string[] { Length: 0 } => new DependentSet(id),
            string[] { Length: < ArrayLimit } ids => new DependentSet((string[])[.. ids, id]),
            string[] ids => new DependentSet(ImmutableHashSet.Create(StringComparer.Ordinal, [.. ids, id])),
            _ => new DependentSet(((ImmutableHashSet<string>)_ids).Add(id)),
        };
    }

    /// <summary>This set without <paramref name="id"/>: this set itself when it does not hold the id, null when nothing is left.</summary>
    public DependentSet? Remove(string id)
    {
        if (!Contains(id))
        {
            return this;
        }

        return _ids switch
        {
            string => null,
            string[] { Length: 2 } ids => new DependentSet(string.Equals(ids[0], id, StringComparison.Ordinal) ? ids[1] : ids[0]),
            string[] ids => new DependentSet((string[])[.. ids.Where(i => !string.Equals(i, id, StringComparison.Ordinal))]),
            _ => ((ImmutableHashSet<string>)_ids).Remove(id) is var rest && rest.Count > ArrayLimit
                ? new DependentSet(rest)
                : new DependentSet((string[])[.. rest]),
        };
    }

    public IEnumerator<string> GetEnumerator() => _ids switch
    {
        string one => new One(one),
        string[] ids => ((IEnumerable<string>)ids).GetEnumerator(),
        _ => ((ImmutableHashSet<string>)_ids).GetEnumerator(),
    };

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The enumerator of a set of one id.</summary>
    private sealed class One(string id) : IEnumerator<string>
    {
        private bool _started;
        private bool _done;

        public string Current => _started && !_done ? id : throw new InvalidOperationException("The enumerator is not on an item.");

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_started)
            {
                _done = true;
                return false;
            }

            _started = true;
            return true;
        }

        public void Reset() => (_started, _done) = (false, false);

        public void Dispose()
        {
        }
    }
}
