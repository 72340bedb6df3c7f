using System.Text;
using System.Text.Json;
using FluentAssertions;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;

namespace Tekton.Application.Tests.Lifecycle;

/// <summary>
/// The metrics rule reads the text itself (on the heartbeat's fast path, the request body): these pin it to what the
/// bounds say in UTF-16 characters, whatever the escaping, and to refusing text that is not valid.
/// </summary>
public sealed class HeartbeatMetricsRuleTests
{
    public static TheoryData<string, bool> Cases() => new()
    {
        { "{}", true },
        { """{"cpu_percent":12.5,"up":true,"down":false,"none":null,"label":"x"}""", true },
        { """ { "a" : 1 , "b" : "c d" } """, true },
        { "{\"" + new string('n', 64) + "\":1}", true },
        { "{\"" + new string('n', 65) + "\":1}", false },
        { "{\"" + new string('é', 64) + "\":1}", true },
        { "{\"" + new string('é', 65) + "\":1}", false },
        { "{\"" + string.Concat(Enumerable.Repeat("\\u00e9", 64)) + "\":1}", true },
        { "{\"" + string.Concat(Enumerable.Repeat("\\u00e9", 65)) + "\":1}", false },
        { """{"":1}""", false },
        { "{\"s\":\"" + new string('x', 256) + "\"}", true },
        { "{\"s\":\"" + new string('x', 257) + "\"}", false },
        { "{\"s\":\"" + new string('€', 256) + "\"}", true },
        { "{\"s\":\"" + new string('€', 257) + "\"}", false },
        { "{\"s\":\"" + string.Concat(Enumerable.Repeat("\\n", 256)) + "\"}", true },
        { "{\"s\":\"" + string.Concat(Enumerable.Repeat("\\n", 257)) + "\"}", false },
        // One character outside the basic plane is two UTF-16 characters, as string.Length counts.
        { "{\"s\":\"" + string.Concat(Enumerable.Repeat("😀", 128)) + "\"}", true },
        { "{\"s\":\"" + string.Concat(Enumerable.Repeat("😀", 128)) + "x\"}", false },
        { "{" + string.Join(",", Enumerable.Range(0, 64).Select(i => $"\"m{i}\":{i}")) + "}", true },
        { "{" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"m{i}\":{i}")) + "}", false },
        { """{"nested":{"a":1}}""", false },
        { """{"list":[1]}""", false },
        { """{"lone":"\ud800"}""", false },
        { "[1]", false },
        { "1", false },
        { "null", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_rule_reads_the_text_as_the_bounds_say(string json, bool valid)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read().Should().BeTrue();

        RecordHeartbeatValidator.IsValidMetrics(ref reader).Should().Be(valid);
        if (valid)
        {
            reader.TokenType.Should().Be(JsonTokenType.EndObject, "a valid object is read to its end");
            reader.Read().Should().BeFalse();
        }

        using var document = JsonDocument.Parse(json);
        RecordHeartbeatValidator.IsValidMetrics(document.RootElement).Should().Be(valid, "the element's text gets the same answer");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void A_name_or_string_that_is_not_valid_utf8_fails_the_rule(byte[] invalid)
    {
        byte[][] bodies =
        [
            [.. "{\""u8, .. invalid, .. "\":1}"u8],
            [.. "{\"s\":\""u8, .. invalid, .. "\"}"u8],
            [.. "{\"s\":\"\\u00e9"u8, .. invalid, .. "\"}"u8],
        ];

        foreach (var body in bodies)
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            RecordHeartbeatValidator.IsValidMetrics(ref reader).Should().BeFalse();
        }
    }

    [Fact]
    public void A_default_element_is_not_metrics()
    {
        RecordHeartbeatValidator.IsValidMetrics(default(JsonElement)).Should().BeFalse();
    }

    [Fact]
    public void Json_text_is_written_out_as_it_was_read()
    {
        const string metrics = """{ "cpu" : 12.50, "label":"é \u00e9" }""";
        using var document = JsonDocument.Parse($$"""{"metrics":{{metrics}}}""");
        var text = JsonText.From(document.RootElement.GetProperty("metrics"));

        text.ToString().Should().Be(metrics);
        var written = JsonSerializer.Serialize(new { metrics = text });
        written.Should().Be($$"""{"metrics":{{metrics}}}""");
        JsonSerializer.Deserialize<Dictionary<string, JsonText>>(written)!["metrics"].ToString().Should().Be(metrics);
        text.ToElement().GetProperty("cpu").GetDecimal().Should().Be(12.50m);
    }
}
