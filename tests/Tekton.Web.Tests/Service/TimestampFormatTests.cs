using System.Globalization;
using System.Text;
using System.Text.Json;
using Tekton.Web.Infrastructure;

namespace Tekton.Web.Tests.Service;

/// <summary>
/// Times on the wire are <c>yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'</c> in UTC (design §4): the fast writer gives exactly
/// what the runtime's pattern formatting gives, fractions with trailing zeros and none at all included.
/// </summary>
public sealed class TimestampFormatTests
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static TheoryData<string> Times =>
    [
        "2026-12-07T08:07:05.3718804Z",
        "2026-12-07T08:07:05.3718800Z",
        "2026-12-07T08:07:05.1000000Z",
        "2026-12-07T08:07:05.0000001Z",
        "2026-12-07T08:07:05.0000000Z",
        "2026-12-07T10:07:05.5+02:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.9999999Z",
    ];

    [Theory]
    [MemberData(nameof(Times))]
    public void A_time_is_written_as_the_pattern_writes_it(string time)
    {
        var value = DateTimeOffset.Parse(time, CultureInfo.InvariantCulture);

        UtcTimestampConverter.Format(value).Should().Be(value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Random_times_are_written_as_the_pattern_writes_them_and_as_the_serializer_writes_them()
    {
        var random = new Random(11);
        var options = new JsonSerializerOptions();
        TektonJsonContext.Configure(options);
        Span<byte> text = stackalloc byte[UtcTimestampConverter.MaxLength];
        for (var i = 0; i < 20_000; i++)
        {
            // Every tenth with a whole-millisecond fraction, every hundredth on a whole second.
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            ticks -= i % 100 == 0 ? ticks % TimeSpan.TicksPerSecond : i % 10 == 0 ? ticks % TimeSpan.TicksPerMillisecond : 0;
            var value = new DateTimeOffset(ticks, TimeSpan.Zero);
            var expected = value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

            Encoding.ASCII.GetString(text[..UtcTimestampConverter.Format(value, text)]).Should().Be(expected);
            JsonSerializer.Serialize<DateTimeOffset?>(value, options).Should().Be($"\"{expected}\"");
        }
    }
}
