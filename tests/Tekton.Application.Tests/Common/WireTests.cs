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
    public void A_sub_second_negative_uptime_is_written_as_zero()
    {
        Wire.Uptime(TimeSpan.FromTicks(-1)).Should().Be("00:00:00");
    }
}
