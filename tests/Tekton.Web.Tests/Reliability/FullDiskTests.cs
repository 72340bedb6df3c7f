using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, faults: the database runs out of room (SQLite <c>max_page_count</c> on every connection Tekton opens and every transaction it starts).
/// Writes get a clear 507 with 1007, nothing stored is lost, memory holds nothing the disk does not, background
/// writes that fail do not bring Tekton down, and writes work again as soon as there is room, without a restart.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FullDiskTests
{
    private static readonly string BigMetadata = $$"""{"padding":"{{new string('x', 24 * 1024)}}"}""";

    [Fact]
    public async Task A_full_database_refuses_writes_with_507_loses_nothing_and_recovers_when_space_returns()
    {
        var limit = new PageLimit();
        await using var server = await TektonServer.StartAsync(
            new Dictionary<string, string?> { ["Tekton:Supervision:HeartbeatSweepSeconds"] = "0.1" },
            services => services.ConfigureDbContext<TektonDbContext>(options => options.AddInterceptors(limit)));
        for (var i = 0; i < 5; i++)
        {
            await server.RegisterAsync($"kept-{i}", extra: $""" "metadata":{BigMetadata} """);
        }

        var beating = await server.RegisterAsync("beating", extra: """ "heartbeat_interval":0.2,"heartbeat_timeout":0.5 """);
        await SetStateAsync(server, "beating", beating, "ready");
        var filler = await server.RegisterAsync("filler");
        await SetStateAsync(server, "filler", filler, "ready");

        limit.MaxPages = PageCount(server.DatabasePath);
        using var refused = await FillAsync(server, filler);

        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.InsufficientStorage, 1007);
        problem["detail"]!.GetValue<string>().Should().Contain("database is full").And.Contain("nothing of this change was stored");
        (await StoredIdsAsync(server)).Should().BeEquivalentTo(await ListedIdsAsync(server), "memory holds nothing the disk does not");
        (await ListedIdsAsync(server)).Should().Contain(Enumerable.Range(0, 5).Select(i => $"kept-{i}"));
        (await server.Client.GetAsync("/api/tekton/components/overflow")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // The sweeper now has a state change to write that does not fit: it fails, and Tekton keeps answering.
        using (var heartbeat = await server.PostJsonAsync("/api/tekton/components/beating/heartbeat", "{}"))
        {
            heartbeat.StatusCode.Should().Be(HttpStatusCode.OK, "a heartbeat is kept in memory");
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        (await server.Client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "failed background writes must not stop the host");
        (await StatusOfAsync(server, "beating")).Should().Be("ready", "its expiry could not be stored, so it did not happen");
        SqliteFile.IntegrityCheck(server.DatabasePath).Should().Be("ok");

        limit.MaxPages = null;
        (await Processes.EventuallyAsync(async () => await StatusOfAsync(server, "beating") == "degraded"))
            .Should().BeTrue("the sweeper writes again once there is room");
        await server.RegisterAsync("after-space", extra: $""" "metadata":{BigMetadata} """);
        var listed = await ListedIdsAsync(server);
        (await StoredIdsAsync(server)).Should().BeEquivalentTo(listed);

        await server.RestartAsync();
        (await ListedIdsAsync(server)).Should().BeEquivalentTo(listed, "nothing acknowledged was lost");
        SqliteFile.IntegrityCheck(server.DatabasePath).Should().Be("ok");
    }

    /// <summary>
    /// Writes until the database refuses: big registrations (the refused one is <c>overflow</c>), then state changes
    /// with a one-letter reason, smaller than any that the sweeper would write.
    /// </summary>
    private static async Task<HttpResponseMessage> FillAsync(TektonServer server, Guid filler)
    {
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var id = $"filled-{i}";
            var response = await server.PostJsonAsync("/api/tekton/components", $$"""
                {"component_id":"{{id}}","component_name":"{{id}}","component_type":"service","version":"1.0.0","metadata":{{BigMetadata}}}
                """);
            if (response.StatusCode == HttpStatusCode.InsufficientStorage)
            {
                refused = response;
                using var again = await server.PostJsonAsync("/api/tekton/components", $$"""
                    {"component_id":"overflow","component_name":"overflow","component_type":"service","version":"1.0.0","metadata":{{BigMetadata}}}
                    """);
                again.StatusCode.Should().Be(HttpStatusCode.InsufficientStorage);
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
                response.Dispose();
            }
        }

        refused.Should().NotBeNull("24 KiB registrations need new pages");
        var states = new[] { "degraded", "ready" };
        for (var i = 0; i < 1_000; i++)
        {
            using var response = await server.PutJsonAsync(
                $"/api/tekton/components/filler/instances/{filler}/state", $$"""{"state":"{{states[i % 2]}}","reason":"x"}""");
            if (response.StatusCode == HttpStatusCode.InsufficientStorage)
            {
                return refused!;
            }

            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        throw new InvalidOperationException("The state-change table never filled up.");
    }

    private static async Task SetStateAsync(TektonServer server, string id, Guid instance, string state)
    {
        using var response = await server.PutJsonAsync($"/api/tekton/components/{id}/instances/{instance}/state", $$"""{"state":"{{state}}"}""");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> StatusOfAsync(TektonServer server, string id) =>
        (await server.GetObjectAsync($"/api/tekton/components/{id}"))["status"]!.GetValue<string>();

    private static async Task<List<string>> ListedIdsAsync(TektonServer server)
    {
        var list = await server.GetObjectAsync("/api/tekton/components");
        return [.. list["components"]!.AsArray().Select(c => c!["component_id"]!.GetValue<string>())];
    }

    private static Task<List<string>> StoredIdsAsync(TektonServer server) => Task.FromResult(SqliteFile.Query(server.DatabasePath, "SELECT component_id FROM components"));

    private static long PageCount(string database) => long.Parse(SqliteFile.Query(database, "PRAGMA page_count").Single(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Caps the database at <see cref="MaxPages"/> pages on every connection Tekton opens (SQLite's own default when null).</summary>
    /// <summary>
    /// The limit is set as each connection opens and again as each transaction starts: the registry writer keeps its
    /// connection open from group to group, and a full disk refuses every connection's next write.
    /// </summary>
    private sealed class PageLimit : DbConnectionInterceptor, IDbTransactionInterceptor
    {
        private const long SqliteDefault = 4294967294;
        private long _maxPages = SqliteDefault;

        public long? MaxPages
        {
            get => Interlocked.Read(ref _maxPages) is var pages && pages == SqliteDefault ? null : pages;
            set => Interlocked.Exchange(ref _maxPages, value ?? SqliteDefault);
        }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            Apply(connection, result);
            return result;
        }

        public ValueTask<DbTransaction> TransactionStartedAsync(
            DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        {
            Apply(connection, result);
            return ValueTask.FromResult(result);
        }

        private void Apply(DbConnection connection, DbTransaction? transaction = null)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"PRAGMA max_page_count = {Interlocked.Read(ref _maxPages)}";
            command.ExecuteNonQuery();
        }
    }
}
