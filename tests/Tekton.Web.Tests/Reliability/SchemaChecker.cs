using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Checks JSON against the part of OpenAPI 3 schema that NSwag emits: <c>$ref</c>, <c>type</c> (one or a list),
/// <c>nullable</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>,
/// <c>oneOf</c>/<c>anyOf</c>/<c>allOf</c>, <c>enum</c>, and the formats date-time, guid/uuid, int32 and int64.
/// </summary>
internal sealed partial class SchemaChecker(JsonObject document)
{
    public JsonObject Document { get; } = document;

    /// <summary>The schema a <c>$ref</c> points at, followed until it is no reference.</summary>
    public JsonObject Resolve(JsonObject schema)
    {
        for (var hops = 0; schema["$ref"]?.GetValue<string>() is { } reference; hops++)
        {
            if (!reference.StartsWith("#/", StringComparison.Ordinal) || hops > 32)
            {
                throw new InvalidOperationException($"Cannot follow the reference '{reference}'.");
            }

            JsonNode? node = Document;
            foreach (var part in reference[2..].Split('/'))
            {
                node = node?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            schema = node as JsonObject ?? throw new InvalidOperationException($"The reference '{reference}' points at nothing.");
        }

        return schema;
    }

    /// <summary>The first way <paramref name="value"/> breaks <paramref name="schema"/>, or null when it fits.</summary>
    public string? Violation(JsonNode? value, JsonNode? schema, string path = "$")
    {
        if (schema is not JsonObject raw)
        {
            return null;
        }

        var s = Resolve(raw);
        if (value is null)
        {
            return AllowsNull(s) ? null : $"{path} is null, which its schema does not allow";
        }

        if (s["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
        {
            return $"{path} = {Short(value)} is not one of {values.ToJsonString()}";
        }

        foreach (var part in s["allOf"] as JsonArray ?? [])
        {
            if (Violation(value, part, path) is { } broken)
            {
                return broken;
            }
        }

        if (s["oneOf"] is JsonArray one && one.Count(branch => Violation(value, branch, path) is null) is var fits && fits != 1)
        {
            return $"{path} = {Short(value)} fits {fits} of its {one.Count} oneOf branches";
        }

        if (s["anyOf"] is JsonArray any && !any.Any(branch => Violation(value, branch, path) is null))
        {
            return $"{path} = {Short(value)} fits none of its anyOf branches";
        }

        var types = Types(s).Where(t => t != "null").ToList();
        var kind = value.GetValueKind();
        if (types.Count > 0 && !types.Any(type => Fits(type, kind, value)))
        {
            return $"{path} = {Short(value)} is {kind.ToString().ToLowerInvariant()}, not {string.Join(" or ", types)}";
        }

        return kind switch
        {
            JsonValueKind.String => FormatViolation(value.GetValue<string>(), s["format"]?.GetValue<string>(), path),
            JsonValueKind.Number => RangeViolation(value, s["format"]?.GetValue<string>(), path),
            JsonValueKind.Object => ObjectViolation(value.AsObject(), s, path),
            JsonValueKind.Array => value.AsArray().Select((item, i) => Violation(item, s["items"], $"{path}[{i}]")).FirstOrDefault(v => v is not null),
            _ => null,
        };
    }

    private string? ObjectViolation(JsonObject value, JsonObject schema, string path)
    {
        foreach (var name in (schema["required"] as JsonArray ?? []).Select(n => n!.GetValue<string>()))
        {
            if (!value.ContainsKey(name))
            {
                return $"{path}.{name} is required but missing";
            }
        }

        var properties = schema["properties"] as JsonObject;
        foreach (var (name, member) in value)
        {
            var broken = properties?[name] is JsonNode property
                ? Violation(member, property, $"{path}.{name}")
                : schema["additionalProperties"] switch
                {
                    JsonValue allowed when !allowed.GetValue<bool>() => $"{path}.{name} is not a documented member",
                    JsonObject extra => Violation(member, extra, $"{path}.{name}"),
                    _ => null,
                };
            if (broken is not null)
            {
                return broken;
            }
        }

        return null;
    }

    private bool AllowsNull(JsonObject schema)
    {
        if (schema["nullable"]?.GetValue<bool>() == true || Types(schema).Contains("null"))
        {
            return true;
        }

        if (schema["type"] is not null)
        {
            return false;
        }

        if (schema["oneOf"] is JsonArray one)
        {
            return one.Any(b => b is JsonObject o && AllowsNull(Resolve(o)));
        }

        if (schema["anyOf"] is JsonArray any)
        {
            return any.Any(b => b is JsonObject o && AllowsNull(Resolve(o)));
        }

        // A schema without a type ({} for "any JSON") takes null too.
        return schema["allOf"] is not JsonArray all || all.All(b => b is JsonObject o && AllowsNull(Resolve(o)));
    }

    public static IReadOnlyList<string> Types(JsonObject schema) => schema["type"] switch
    {
        JsonArray list => list.Select(t => t!.GetValue<string>()).ToList(),
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static bool Fits(string type, JsonValueKind kind, JsonNode value) => type switch
    {
        "string" => kind == JsonValueKind.String,
        "integer" => kind == JsonValueKind.Number && decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == decimal.Truncate(n),
        "number" => kind == JsonValueKind.Number,
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "object" => kind == JsonValueKind.Object,
        "array" => kind == JsonValueKind.Array,
        _ => true,
    };

    private static string? FormatViolation(string text, string? format, string path) => format switch
    {
        // Design §4: RFC 3339, UTC, with the Z suffix.
        "date-time" when !Rfc3339Utc().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            => $"{path} = \"{text}\" is not an RFC 3339 UTC time",
        "guid" or "uuid" when !Guid.TryParseExact(text, "D", out _) => $"{path} = \"{text}\" is not a UUID",
        _ => null,
    };

    private static string? RangeViolation(JsonNode value, string? format, string path)
    {
        var text = value.ToJsonString();
        return format switch
        {
            "int32" when !int.TryParse(text, CultureInfo.InvariantCulture, out _) => $"{path} = {text} is not an int32",
            "int64" when !long.TryParse(text, CultureInfo.InvariantCulture, out _) => $"{path} = {text} is not an int64",
            _ => null,
        };
    }

    private static string Short(JsonNode value)
    {
        var text = value.ToJsonString();
        return text.Length <= 120 ? text : text[..120] + "…";
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")]
    private static partial Regex Rfc3339Utc();
}
