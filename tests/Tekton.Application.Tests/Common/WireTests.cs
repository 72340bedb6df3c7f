using Tekton.Application.Common;

namespace Tekton.Application.Tests.Common;

public sealed class WireTests
{
    [Theory]
    [InlineData(0, 0, 0, 0, 0, "00:00:00")]
    [InlineData(0, 0, 0, 0, 999, "00:00:00")]
    [InlineData(0, 0, 0, 59, 999, "00:00:59")]
    [InlineData(0, 0, 1, 1, 0, "00:01:01")]
    [InlineData(0, 23, 59, 59, 999, "23:59:59")]
    [InlineData(1, 0, 0, 0, 0, "1.00:00:00")]
    [InlineData(1, 2, 3, 4, 900, "1.02:03:04")]
    [InlineData(12, 5, 0, 9, 0, "12.05:00:09")]
    public void Uptime_is_written_as_days_hours_minutes_and_whole_seconds(int days, int hours, int minutes, int seconds, int milliseconds, string expected)
    {
        Wire.Uptime(new TimeSpan(days, hours, minutes, seconds, milliseconds)).Should().Be(expected);
    }

    [Fact]
    public void Uptime_of_61_seconds_is_one_minute_one_second()
    {
        Wire.Uptime(TimeSpan.FromSeconds(61)).Should().Be("00:01:01");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-86_400 * 3)]
    public void A_negative_uptime_is_written_as_zero(int seconds)
    {
        Wire.Uptime(TimeSpan.FromSeconds(seconds)).Should().Be("00:00:00");
    }

    [Fact]
    public void Uptime_written_as_bytes_is_the_runtimes_own_formatting_of_the_whole_seconds()
    {
        var random = new Random(7);
        var spans = Enumerable.Range(0, 20_000)
            .Select(i => TimeSpan.FromTicks(i < 100 ? i * TimeSpan.TicksPerHour * 7 : random.NextInt64(TimeSpan.TicksPerDay * 36_500)))
            .Append(TimeSpan.FromDays(1) - TimeSpan.FromTicks(1))
            .Append(TimeSpan.FromDays(10_000));
        Span<byte> text = stackalloc byte[Wire.MaxUptimeLength];
        foreach (var span in spans)
        {
            var whole = TimeSpan.FromSeconds(Math.Floor(span.TotalSeconds));
            var expected = whole.ToString(whole.Days > 0 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);

            System.Text.Encoding.ASCII.GetString(text[..Wire.Uptime(span, text)]).Should().Be(expected, $"{span.Ticks} ticks");
        }
    }

    [Fact]
    public void A_sub_second_negative_uptime_is_written_as_zero()
    {
        Wire.Uptime(TimeSpan.FromTicks(-1)).Should().Be("00:00:00");
    }
}
