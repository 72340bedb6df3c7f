using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Cli.CommandLine;

/// <summary>Writes times as the API does: UTC with a <c>Z</c>, fractional seconds without trailing zeros.</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value.UtcDateTime);
}
