using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Application.Common;

/// <summary>
/// A JSON value kept as the UTF-8 text it arrived in and written out as it is: a heartbeat's metrics go from the
/// request that carried them to every subscriber and the other nodes without being parsed into a document or
/// encoded again. Whoever makes one has read the text as one valid JSON value.
/// </summary>
[JsonConverter(typeof(JsonTextConverter))]
public sealed class JsonText
{
    public static readonly JsonText EmptyObject = new("{}"u8.ToArray());

    private JsonText(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>Text the caller has just read whole as one valid JSON value; kept, not copied.</summary>
    public static JsonText FromRead(ReadOnlyMemory<byte> utf8) => new(utf8);

    /// <summary>The element's text as it was read (a copy, so the element's document may go).</summary>
    public static JsonText From(JsonElement element) => new(JsonMarshal.GetRawUtf8Value(element).ToArray());

    public JsonElement ToElement()
    {
        using var document = JsonDocument.Parse(Utf8);
        return document.RootElement.Clone();
    }

    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}

public sealed class JsonTextConverter : JsonConverter<JsonText>
{
    public override JsonText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return JsonText.From(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, JsonText value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}
