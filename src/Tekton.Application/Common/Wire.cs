using System.Globalization;
using System.Text;
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

    /// <summary>The most bytes <see cref="Uptime(TimeSpan, Span{byte})"/> writes.</summary>
    public const int MaxUptimeLength = 19;

    /// <summary>An uptime as <c>[d.]hh:mm:ss</c>, whole seconds (a negative one as zero).</summary>
    public static string Uptime(TimeSpan span)
    {
        Span<byte> text = stackalloc byte[MaxUptimeLength];
        return Encoding.ASCII.GetString(text[..Uptime(span, text)]);
    }

    /// <summary><see cref="Uptime(TimeSpan)"/> as ASCII into <paramref name="destination"/>; the count written.</summary>
    public static int Uptime(TimeSpan span, Span<byte> destination)
    {
        var seconds = Math.Max(0, span.Ticks / TimeSpan.TicksPerSecond);
        var days = seconds / 86_400;
        var at = 0;
        if (days > 0)
        {
            days.TryFormat(destination, out at, provider: CultureInfo.InvariantCulture);
            destination[at++] = (byte)'.';
        }

        at = TwoDigits(destination, at, seconds / 3_600 % 24);
        destination[at++] = (byte)':';
        at = TwoDigits(destination, at, seconds / 60 % 60);
        destination[at++] = (byte)':';
        return TwoDigits(destination, at, seconds % 60);
    }

    private static int TwoDigits(Span<byte> destination, int at, long value)
    {
        destination[at] = (byte)('0' + (value / 10));
        destination[at + 1] = (byte)('0' + (value % 10));
        return at + 2;
    }
}
