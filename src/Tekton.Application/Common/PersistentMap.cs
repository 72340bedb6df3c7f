using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Tekton.Application.Common;

/// <summary>Creates <see cref="PersistentMap{TKey, TValue}"/>s.</summary>
public static class PersistentMap
{
    /// <summary>An empty map whose keys are compared by <paramref name="comparer"/>.</summary>
    public static PersistentMap<TKey, TValue> Create<TKey, TValue>(IEqualityComparer<TKey> comparer)
        where TKey : notnull => new(comparer, PersistentMap<TKey, TValue>.EmptyRoot, 0);
}

/// <summary>
/// An immutable hash map (a hash array mapped trie): each level of the tree takes five bits of the key's hash, so a
/// map of a million keys is five levels deep, where a balanced binary tree is twenty. A change copies only the nodes
/// on its key's path; a <see cref="Builder"/> changes the nodes it copied in place until it makes its next map, so a
/// batch of changes copies each node once. The registry's snapshot keeps its indexes in these (one commit's changes
/// go through one builder): <c>ImmutableDictionary</c>'s binary tree of buckets made each look-up and change a walk of
/// some twenty scattered nodes (docs/performance-notes.md).
/// </summary>
/// <remarks>Keys whose whole hashes are equal share one collision node at the bottom of the tree.</remarks>
public sealed class PersistentMap<TKey, TValue> : IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    private const int Bits = 5;
    private const int Mask = (1 << Bits) - 1;

    internal static readonly Branch EmptyRoot = new(0, [], edit: null);

    private readonly IEqualityComparer<TKey> _comparer;
    private readonly Branch _root;

    internal PersistentMap(IEqualityComparer<TKey> comparer, Branch root, int count)
    {
        _comparer = comparer;
        _root = root;
        Count = count;
    }

    public int Count { get; }

    public IEnumerable<TKey> Keys => this.Select(pair => pair.Key);

    public IEnumerable<TValue> Values => this.Select(pair => pair.Value);

    public TValue this[TKey key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The key '{key}' is not in the map.");

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => Find(_root, _comparer, key, out value);

    public TValue? GetValueOrDefault(TKey key) => TryGetValue(key, out var value) ? value : default;

    /// <summary>A builder that starts from this map; the map itself never changes.</summary>
    public Builder ToBuilder() => new(this);

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        var stack = new Stack<(object[] Children, int Next)>();
        stack.Push((_root.Children, 0));
        while (stack.TryPop(out var top))
        {
            var (children, next) = top;
            if (next >= children.Length)
            {
                continue;
            }

            stack.Push((children, next + 1));
            switch (children[next])
            {
                case Leaf leaf:
                    yield return new KeyValuePair<TKey, TValue>(leaf.Key, leaf.Value);
                    break;
                case Branch branch:
                    stack.Push((branch.Children, 0));
                    break;
                case Collision collision:
                    foreach (var entry in collision.Leaves)
                    {
                        yield return new KeyValuePair<TKey, TValue>(entry.Key, entry.Value);
                    }

                    break;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Find(Branch root, IEqualityComparer<TKey> comparer, TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        var hash = comparer.GetHashCode(key);
        var node = root;
        for (var shift = 0; ; shift += Bits)
        {
            var bit = 1u << ((hash >>> shift) & Mask);
            if ((node.Bitmap & bit) == 0)
            {
                break;
            }

            switch (node.Children[BitOperations.PopCount(node.Bitmap & (bit - 1))])
            {
                case Branch branch:
                    node = branch;
                    continue;
                case Leaf leaf when leaf.Hash == hash && comparer.Equals(leaf.Key, key):
                    value = leaf.Value;
                    return true;
                case Collision collision when collision.Hash == hash:
                    foreach (var entry in collision.Leaves)
                    {
                        if (comparer.Equals(entry.Key, key))
                        {
                            value = entry.Value;
                            return true;
                        }
                    }

                    break;
            }

            break;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Changes a map in batches: set and remove keys, then <see cref="ToImmutable"/>. Nodes this builder copied since
    /// its last map are its own and are changed in place; every other node is copied first.
    /// </summary>
    public sealed class Builder
    {
        private readonly IEqualityComparer<TKey> _comparer;
        private Branch _root;
        private object _edit = new();

        internal Builder(PersistentMap<TKey, TValue> map)
        {
            _comparer = map._comparer;
            _root = map._root;
            Count = map.Count;
        }

        public int Count { get; private set; }

        public TValue this[TKey key]
        {
            get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The key '{key}' is not in the map.");
            set => Change(key, value, static (_, value) => value);
        }

        /// <summary>Sets the key's value and answers the value it replaced (default when the key was new), in one walk of the tree.</summary>
        public TValue? Exchange(TKey key, TValue value) => Change(key, value, static (_, value) => value);

        /// <summary>
        /// Sets the key's value to <paramref name="change"/> of its current value (default when the key is not there)
        /// and answers the value it replaced: a read and a write in one walk of the tree.
        /// </summary>
        public TValue? Change<TArgument>(TKey key, TArgument argument, Func<TValue?, TArgument, TValue> change)
        {
            var edit = new Edit<TArgument>(_comparer.GetHashCode(key), key, argument, change);
            _root = (Branch)Set(_root, ref edit, 0);
            Count += edit.Found ? 0 : 1;
            return edit.Previous;
        }

        public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => Find(_root, _comparer, key, out value);

        public TValue? GetValueOrDefault(TKey key) => TryGetValue(key, out var value) ? value : default;

        public bool ContainsKey(TKey key) => TryGetValue(key, out _);

        /// <summary>Removes the key; false when it was not there.</summary>
        public bool Remove(TKey key) => Remove(key, out _);

        /// <summary>Removes the key, answering the value it had; false when it was not there.</summary>
        public bool Remove(TKey key, [MaybeNullWhen(false)] out TValue value)
        {
            var removed = default(Leaf);
            _root = Remove(_root, _comparer.GetHashCode(key), key, 0, ref removed) as Branch ?? EmptyRoot;
            Count -= removed is null ? 0 : 1;
            value = removed is null ? default : removed.Value;
            return removed is not null;
        }

        /// <summary>The map as it is now. The builder goes on from it, copying again whatever it changes next.</summary>
        public PersistentMap<TKey, TValue> ToImmutable()
        {
            _edit = new object();
            return new PersistentMap<TKey, TValue>(_comparer, _root, Count);
        }

        private Branch Editable(Branch branch) =>
            ReferenceEquals(branch.Edit, _edit) ? branch : new Branch(branch.Bitmap, (object[])branch.Children.Clone(), _edit);

        private object Set<TArgument>(Branch node, ref Edit<TArgument> edit, int shift)
        {
            var bit = 1u << ((edit.Hash >>> shift) & Mask);
            var index = BitOperations.PopCount(node.Bitmap & (bit - 1));
            if ((node.Bitmap & bit) == 0)
            {
                var children = new object[node.Children.Length + 1];
                Array.Copy(node.Children, children, index);
                children[index] = edit.NewLeaf(default);
                Array.Copy(node.Children, index, children, index + 1, node.Children.Length - index);
                if (ReferenceEquals(node.Edit, _edit))
                {
                    node.Bitmap |= bit;
                    node.Children = children;
                    return node;
                }

                return new Branch(node.Bitmap | bit, children, _edit);
            }

            var child = node.Children[index];
            object replacement = child switch
            {
                Branch branch => Set(branch, ref edit, shift + Bits),
                Leaf existing when existing.Hash == edit.Hash && _comparer.Equals(existing.Key, edit.Key) => edit.Replace(existing),
                Leaf existing => Split(existing, edit.NewLeaf(default), shift + Bits),
                Collision collision => collision.Hash == edit.Hash
                    ? collision.With(ref edit, _comparer)
                    : Split(collision, edit.NewLeaf(default), shift + Bits),
                _ => throw new InvalidOperationException("A map node of an unknown kind."),
            };
            if (ReferenceEquals(replacement, child))
            {
                return node;
            }

            var editable = Editable(node);
            editable.Children[index] = replacement;
            return editable;
        }

        /// <summary>A node holding what was in one slot (a leaf or a collision) and a new leaf of another key.</summary>
        private object Split(object existing, Leaf leaf, int shift)
        {
            var existingHash = existing is Leaf one ? one.Hash : ((Collision)existing).Hash;
            if (existingHash == leaf.Hash)
            {
                return new Collision(leaf.Hash, [(Leaf)existing, leaf]);
            }

            if (shift >= 32)
            {
                throw new InvalidOperationException("Two different hashes agreed in every bit.");
            }

            var existingBit = 1u << ((existingHash >>> shift) & Mask);
            var bit = 1u << ((leaf.Hash >>> shift) & Mask);
            if (existingBit == bit)
            {
                return new Branch(bit, [Split(existing, leaf, shift + Bits)], _edit);
            }

            return existingBit < bit
                ? new Branch(existingBit | bit, [existing, leaf], _edit)
                : new Branch(existingBit | bit, [leaf, existing], _edit);
        }

        /// <summary>The node without the key: the same node when it was not there, null when nothing is left.</summary>
        private object? Remove(Branch node, int hash, TKey key, int shift, ref Leaf? removed)
        {
            var bit = 1u << ((hash >>> shift) & Mask);
            if ((node.Bitmap & bit) == 0)
            {
                return node;
            }

            var index = BitOperations.PopCount(node.Bitmap & (bit - 1));
            var child = node.Children[index];
            var replacement = child switch
            {
                Branch branch => Remove(branch, hash, key, shift + Bits, ref removed),
                Leaf leaf when leaf.Hash == hash && _comparer.Equals(leaf.Key, key) => Removed(leaf, ref removed),
                Collision collision when collision.Hash == hash => collision.Without(key, _comparer, ref removed),
                _ => child,
            };
            if (ReferenceEquals(replacement, child))
            {
                return node;
            }

            // A branch left with one leaf or collision is replaced by it, so that every branch below the root holds
            // at least two keys; one left with a single branch stays, as that branch's keys need its level.
            if (replacement is null)
            {
                if (node.Children.Length == 1)
                {
                    return null;
                }

                if (node.Children.Length == 2 && shift > 0 && node.Children[1 - index] is not Branch)
                {
                    return node.Children[1 - index];
                }

                var children = new object[node.Children.Length - 1];
                Array.Copy(node.Children, children, index);
                Array.Copy(node.Children, index + 1, children, index, node.Children.Length - index - 1);
                if (ReferenceEquals(node.Edit, _edit))
                {
                    node.Bitmap &= ~bit;
                    node.Children = children;
                    return node;
                }

                return new Branch(node.Bitmap & ~bit, children, _edit);
            }

            if (node.Children.Length == 1 && shift > 0 && replacement is not Branch)
            {
                return replacement;
            }

            var editable = Editable(node);
            editable.Children[index] = replacement;
            return editable;
        }

        private static object? Removed(Leaf leaf, ref Leaf? removed)
        {
            removed = leaf;
            return null;
        }
    }

    /// <summary>
    /// One key's change on its way down the tree: the new value is made from the old one where the key is found (or
    /// from default where it is not), and what was found is kept for the caller.
    /// </summary>
    internal struct Edit<TArgument>(int hash, TKey key, TArgument argument, Func<TValue?, TArgument, TValue> change)
    {
        public readonly int Hash = hash;
        public readonly TKey Key = key;
        public bool Found;
        public TValue? Previous;

        /// <summary>The leaf for a key that was not there.</summary>
        public readonly Leaf NewLeaf(TValue? current) => new(Hash, Key, change(current, argument));

        /// <summary>The leaf that replaces <paramref name="existing"/>, the key's leaf until now.</summary>
        public Leaf Replace(Leaf existing)
        {
            Found = true;
            Previous = existing.Value;
            return NewLeaf(existing.Value);
        }
    }

    /// <summary>A level of the tree: a child for each set bit of <see cref="Bitmap"/>, in bit order.</summary>
    internal sealed class Branch(uint bitmap, object[] children, object? edit)
    {
        public uint Bitmap = bitmap;
        public object[] Children = children;

        /// <summary>The builder that may change this node in place, until it makes its next map.</summary>
        public readonly object? Edit = edit;
    }

    internal sealed class Leaf(int hash, TKey key, TValue value)
    {
        public readonly int Hash = hash;
        public readonly TKey Key = key;
        public readonly TValue Value = value;
    }

    /// <summary>Keys with the same whole hash.</summary>
    internal sealed class Collision(int hash, Leaf[] leaves)
    {
        public readonly int Hash = hash;
        public readonly Leaf[] Leaves = leaves;

        public Collision With<TArgument>(ref Edit<TArgument> edit, IEqualityComparer<TKey> comparer)
        {
            for (var at = 0; at < Leaves.Length; at++)
            {
                if (comparer.Equals(Leaves[at].Key, edit.Key))
                {
                    var leaves = (Leaf[])Leaves.Clone();
                    leaves[at] = edit.Replace(Leaves[at]);
                    return new Collision(Hash, leaves);
                }
            }

            return new Collision(Hash, [.. Leaves, edit.NewLeaf(default)]);
        }

        /// <summary>Without the key: this collision when it was not there, the one leaf left, or a smaller collision.</summary>
        public object Without(TKey key, IEqualityComparer<TKey> comparer, ref Leaf? removed)
        {
            var at = Array.FindIndex(Leaves, l => comparer.Equals(l.Key, key));
            if (at < 0)
            {
                return this;
            }

            removed = Leaves[at];
            return Leaves.Length == 2 ? Leaves[1 - at] : new Collision(Hash, [.. Leaves.Where((_, i) => i != at)]);
        }
    }
}
