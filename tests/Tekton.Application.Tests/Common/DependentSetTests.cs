using Tekton.Application.Common;

namespace Tekton.Application.Tests.Common;

public sealed class DependentSetTests
{
    [Fact]
    public void The_empty_set_holds_nothing()
    {
        DependentSet.Empty.Should().BeEmpty();
        DependentSet.Empty.Count.Should().Be(0);
        DependentSet.Empty.Contains("a").Should().BeFalse();
        DependentSet.Empty.Remove("a").Should().BeSameAs(DependentSet.Empty);
        DependentSet.Empty.Add("a").Should().Equal("a");
    }

    [Fact]
    public void Adding_what_is_there_and_removing_what_is_not_change_nothing()
    {
        var one = DependentSet.Of("a");
        var three = one.Add("b").Add("c");

        one.Add("a").Should().BeSameAs(one);
        three.Add("b").Should().BeSameAs(three);
        three.Remove("z").Should().BeSameAs(three);
        one.Remove("a").Should().BeNull("nothing is left");
        one.Should().Equal("a");
        three.Should().Equal("a", "b", "c");
    }

    /// <summary>Through every size it takes (one id, an array, a hash set and back), against a hash set, never changing an earlier set.</summary>
    [Fact]
    public void Random_adds_and_removes_agree_with_a_hash_set_and_leave_earlier_sets_as_they_were()
    {
        var random = new Random(7);
        DependentSet? set = null;
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var history = new List<(DependentSet Set, string[] Contents)>();
        for (var step = 0; step < 2_000; step++)
        {
            var id = $"c{random.Next(3 * DependentSet.ArrayLimit)}";
            // Mostly adds early on, mostly removes later, so the set grows past the array and shrinks to one id again.
            if (random.Next(2_000) < step)
            {
                set = set?.Remove(id);
                expected.Remove(id);
            }
            else
            {
                set = set?.Add(id) ?? DependentSet.Of(id);
                expected.Add(id);
            }

            if (set is null)
            {
                expected.Should().BeEmpty();
                continue;
            }

            set.Count.Should().Be(expected.Count);
            expected.SetEquals(set).Should().BeTrue();
            set.Contains(id).Should().Be(expected.Contains(id));
            history.Add((set, [.. expected]));
        }

        history.Max(h => h.Set.Count).Should().BeGreaterThan(DependentSet.ArrayLimit, "the set must have grown into a hash set");
        foreach (var (earlier, contents) in history)
        {
            earlier.ToHashSet().SetEquals(contents).Should().BeTrue();
        }
    }
}
