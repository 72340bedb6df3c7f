using System.Globalization;
using System.Text.RegularExpressions;

namespace Tekton.Application.Common;

/// <summary>The formats and patterns of the wire (design §4 and §5), in one place.</summary>
public static partial class Wire
{
    public const string ComponentIdPattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
    public const string ComponentTypePattern = "^[a-z][a-z0-9_-]{0,31}$";
    public const string CapabilityPattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$";
    public const string ModelIdPattern = "^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,127}$";
    public const string ProviderPattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";

    /// <summary>Semantic Versioning 2.0.0, the regular expression the specification recommends.</summary>
    public const string SemVerPattern =
        @"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$";

    // The patterns above are for people; these end in \z because in .NET '$' also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex ComponentId();

    [GeneratedRegex(@"^[a-z][a-z0-9_-]{0,31}\z", RegexOptions.CultureInvariant)]
    public static partial Regex ComponentType();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Capability();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,127}\z", RegexOptions.CultureInvariant)]
    public static partial Regex ModelId();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Provider();

    [GeneratedRegex(SemVerPattern + @"\z", RegexOptions.CultureInvariant)]
    public static partial Regex SemVer();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex EnvironmentName();

    /// <summary>An uptime as <c>[d.]hh:mm:ss</c>, whole seconds.</summary>
    public static string Uptime(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        var whole = TimeSpan.FromSeconds(Math.Floor(span.TotalSeconds));
        return whole.ToString(whole.Days > 0 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }
}
