using System.Diagnostics.Metrics;

namespace Tekton.Application.Tests.Common;

/// <summary>A meter factory without a host: each meter stands alone.</summary>
internal sealed class TestMeters : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}
