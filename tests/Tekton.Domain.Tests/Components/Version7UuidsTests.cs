using Tekton.Domain.Components;

namespace Tekton.Domain.Tests.Components;

/// <summary>Instance uuids are version 7 (RFC 9562) as the runtime's own, from random bits drawn in blocks.</summary>
public sealed class Version7UuidsTests
{
    [Fact]
    public void A_uuid_carries_its_time_version_and_variant_as_the_runtimes_own()
    {
        var now = new DateTimeOffset(2026, 12, 7, 6, 55, 1, 234, TimeSpan.Zero);

        var uuid = Version7Uuids.New(now);
        var runtimes = Guid.CreateVersion7(now);

        uuid.Version.Should().Be(7);
        uuid.Variant.Should().BeInRange(0x8, 0xB, "the variant is binary 10");
        uuid.ToString()[..13].Should().Be(runtimes.ToString()[..13], "both begin with the same 48 bits of milliseconds");
        uuid.ToString()[..13].Should().Be($"{now.ToUnixTimeMilliseconds():x12}".Insert(8, "-"));
    }

    [Fact]
    public void Uuids_made_at_once_on_many_threads_are_all_different_and_sort_by_their_time()
    {
        var now = DateTimeOffset.UtcNow;
        var made = new Guid[8][];
        Parallel.For(0, made.Length, t => made[t] = [.. Enumerable.Range(0, 5_000).Select(_ => Version7Uuids.New(now))]);

        var all = made.SelectMany(m => m).ToList();
        all.Should().OnlyHaveUniqueItems("40,000 uuids span many blocks of random bits, each drawn once");
        all.Should().OnlyContain(u => u.Version == 7);

        var earlier = Version7Uuids.New(now.AddMilliseconds(-1)).ToString();
        var later = Version7Uuids.New(now.AddMilliseconds(1)).ToString();
        string.CompareOrdinal(earlier, all[0].ToString()).Should().BeNegative();
        string.CompareOrdinal(later, all[0].ToString()).Should().BePositive();
    }
}
