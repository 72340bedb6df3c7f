using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Web.Endpoints;

/// <summary>
/// Reads a JSON array of strings (nulls kept) straight from the reader, for the registration's hot path
/// (<see cref="HotPaths"/>). The serializer's own list converter takes a frame of the read stack for the array, and the
/// first such frame allocates the stack (about 400 bytes per registration), then grows a list; this reads the items in
/// place into an array of their number. Anything else in the array (a number, an object, a nested array) is refused
/// with a <see cref="JsonException"/>, and the hot path then hands the request to the endpoint, whose usual converters
/// read it again and report the error as they always do.
/// </summary>
internal sealed class StringListReader : JsonConverter<IReadOnlyList<string?>>
{
    public override IReadOnlyList<string?> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException();
        }

        // Counted first on a copy of the reader (a struct over the same bytes), so that the array is made once, to size.
        var count = 0;
        var probe = reader;
        while (probe.Read() && probe.TokenType != JsonTokenType.EndArray)
        {
            if (probe.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                throw new JsonException();
            }

            count++;
        }

        if (count == 0)
        {
            reader.Skip();
            return [];
        }

        var items = new string?[count];
        for (var i = 0; i < count; i++)
        {
            reader.Read();
            items[i] = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
        }

        reader.Read();
        return items;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string?> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            if (item is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(item);
            }
        }

        writer.WriteEndArray();
    }
}
