using Tekton.Application.Common;

namespace Tekton.Application.Tests.Common;

public sealed class PersistentMapTests
{
    [Fact]
    public void An_empty_map_has_nothing()
    {
        var map = PersistentMap.Create<string, int>(StringComparer.Ordinal);

        map.Count.Should().Be(0);
        map.ContainsKey("a").Should().BeFalse();
        map.GetValueOrDefault("a").Should().Be(0);
        map.Should().BeEmpty();
        map.Invoking(m => m["a"]).Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void A_builder_sets_replaces_and_removes_without_changing_the_map_it_started_from()
    {
        var builder = PersistentMap.Create<string, int>(StringComparer.Ordinal).ToBuilder();
        builder["a"] = 1;
        builder["b"] = 2;
        var first = builder.ToImmutable();

        builder["a"] = 10;
        builder["c"] = 3;
        builder.Remove("b").Should().BeTrue();
        builder.Remove("missing").Should().BeFalse();
        var second = builder.ToImmutable();

        first.Should().BeEquivalentTo(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });
        second.Should().BeEquivalentTo(new Dictionary<string, int> { ["a"] = 10, ["c"] = 3 });
        second.Count.Should().Be(2);
        second["a"].Should().Be(10);
        builder.Count.Should().Be(2);
    }

    [Fact]
    public void Exchange_and_change_answer_what_they_replaced_in_one_step()
    {
        var builder = PersistentMap.Create<string, string>(StringComparer.Ordinal).ToBuilder();

        builder.Exchange("a", "one").Should().BeNull("the key was new");
        builder.Exchange("a", "uno").Should().Be("one");
        builder.Change("a", "!", static (old, suffix) => old + suffix).Should().Be("uno");
        builder.Change("b", "!", static (old, suffix) => (old ?? "new") + suffix).Should().BeNull();
        builder.Remove("a", out var removed).Should().BeTrue();
        builder.Remove("a", out var again).Should().BeFalse();

        removed.Should().Be("uno!");
        again.Should().BeNull();
        builder.ToImmutable().Should().BeEquivalentTo(new Dictionary<string, string> { ["b"] = "new!" });
        builder.Count.Should().Be(1);
    }

    [Fact]
    public void Ordinal_keys_are_told_apart_by_case()
    {
        var builder = PersistentMap.Create<string, int>(StringComparer.Ordinal).ToBuilder();
        builder["engram"] = 1;
        builder["Engram"] = 2;

        var map = builder.ToImmutable();

        map.Count.Should().Be(2);
        map["engram"].Should().Be(1);
        map["Engram"].Should().Be(2);
    }

    /// <summary>
    /// Against a dictionary, over many random changes in batches, with hashes that collide (whole and in part) so
    /// that deep paths, collision nodes and their collapse on removal are all exercised; every earlier map must stay
    /// as it was made.
    /// </summary>
    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 1 << 30)]
    [InlineData(2, 64)]
    public void Random_changes_in_batches_agree_with_a_dictionary_and_leave_earlier_maps_as_they_were(int seed, int hashes)
    {
        var random = new Random(seed);
        var comparer = new CollidingComparer(hashes);
        var builder = PersistentMap.Create<string, int>(comparer).ToBuilder();
        var expected = new Dictionary<string, int>(comparer);
        var history = new List<(PersistentMap<string, int> Map, Dictionary<string, int> Contents)>();
        for (var batch = 0; batch < 200; batch++)
        {
            for (var change = random.Next(1, 40); change > 0; change--)
            {
                var key = $"k{random.Next(600)}";
                var value = random.Next(1_000_000);
                var had = expected.GetValueOrDefault(key);
                switch (random.Next(6))
                {
                    case 0:
                        builder.Remove(key).Should().Be(expected.Remove(key));
                        break;
                    case 1:
                        builder.Remove(key, out var removed).Should().Be(expected.Remove(key));
                        removed.Should().Be(had);
                        break;
                    case 2:
                        builder.Exchange(key, value).Should().Be(had, "Exchange answers the value it replaced");
                        expected[key] = value;
                        break;
                    case 3:
                        builder.Change(key, value, static (old, add) => old + add).Should().Be(had);
                        expected[key] = had + value;
                        break;
                    default:
                        builder[key] = value;
                        expected[key] = value;
                        break;
                }

                builder.Count.Should().Be(expected.Count);
            }

            var map = builder.ToImmutable();
            history.Add((map, new Dictionary<string, int>(expected, comparer)));
        }

        foreach (var (map, contents) in history)
        {
            map.Count.Should().Be(contents.Count);
            map.Should().BeEquivalentTo(contents);
            foreach (var (key, value) in contents)
            {
                map.TryGetValue(key, out var found).Should().BeTrue();
                found.Should().Be(value);
            }

            map.ContainsKey("k-never").Should().BeFalse();
            for (var i = 0; i < 600; i++)
            {
                map.ContainsKey($"k{i}").Should().Be(contents.ContainsKey($"k{i}"));
            }
        }
    }

    [Fact]
    public void Removing_every_key_leaves_an_empty_map_that_takes_keys_again()
    {
        var comparer = new CollidingComparer(3);
        var builder = PersistentMap.Create<string, int>(comparer).ToBuilder();
        for (var i = 0; i < 100; i++)
        {
            builder[$"k{i}"] = i;
        }

        var full = builder.ToImmutable();
        for (var i = 0; i < 100; i++)
        {
            builder.Remove($"k{i}").Should().BeTrue();
        }

        var empty = builder.ToImmutable();
        builder["again"] = 1;

        empty.Should().BeEmpty();
        empty.Count.Should().Be(0);
        full.Count.Should().Be(100);
        builder.ToImmutable().Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, int>("again", 1));
    }

    /// <summary>Ordinal strings with only <c>hashes</c> different hash codes, spread over all 32 bits.</summary>
    private sealed class CollidingComparer(int hashes) : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => (int)((uint)obj.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) % (uint)hashes * 2654435761u);
    }
}
