using System.Globalization;

namespace Tekton.Web.Tests.Persistence;

/// <summary>
/// Instance uuids are made in time order (version 7), so the database's index on them grows at its end rather than at
/// a random page for every registration.
/// </summary>
public sealed class InstanceUuidTests
{
    [Fact]
    public async Task Instances_registered_one_after_another_get_uuids_that_sort_in_the_order_they_were_made()
    {
        await using var server = await TektonServer.StartAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var answered = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            answered.Add(await server.RegisterAsync($"ordered-{i}"));
        }

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stored = SqliteFile.Query(server.DatabasePath, "SELECT instance_uuid FROM instances ORDER BY rowid");

        stored.Select(Guid.Parse).Should().Equal(answered, "the rows are the registrations, in the order they were made");
        answered.Should().OnlyContain(uuid => uuid.Version == 7);
        var made = stored.Select(MadeAt).ToList();
        made.Should().OnlyContain(ms => ms >= before && ms <= after, "a version 7 uuid begins with the millisecond it was made");
        made.Should().BeInAscendingOrder();
        for (var i = 1; i < stored.Count; i++)
        {
            if (made[i] != made[i - 1])
            {
                string.CompareOrdinal(stored[i - 1], stored[i]).Should().BeNegative("as stored, a later uuid sorts after an earlier one");
            }
        }
    }

    private static long MadeAt(string uuid) =>
        long.Parse(uuid.Replace("-", "", StringComparison.Ordinal)[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
