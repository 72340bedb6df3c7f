using System.CommandLine;
using System.Globalization;

namespace Tekton.Cli.CommandLine;

/// <summary>An option that takes a number of seconds from 0 to 3600, the range of every duration the API takes.</summary>
internal static class SecondsOption
{
    public static Option<double?> Create(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 3600)
            {
                return seconds;
            }

            result.AddError($"{name} takes a number of seconds from 0 to 3600, not '{text}'.");
            return null;
        },
    };
}
