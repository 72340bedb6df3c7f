namespace Tekton.Application.Resources;

/// <summary>The <c>Tekton:Resources</c> section.</summary>
public sealed class ResourceOptions
{
    public const string Section = "Tekton:Resources";

    /// <summary>Seconds between samples of the machine and of supervised processes.</summary>
    public double SampleIntervalSeconds { get; set; } = 2;

    /// <summary>Minutes of samples kept for <c>GET /api/tekton/resources/history</c>.</summary>
    public int HistoryMinutes { get; set; } = 60;

    /// <summary>The history's capacity in samples.</summary>
    public int HistoryCapacity => (int)Math.Ceiling(HistoryMinutes * 60 / SampleIntervalSeconds);
}
