using Microsoft.Extensions.Logging;
using Tekton.Application.Resources;

namespace Tekton.Infrastructure.Resources;

/// <summary>
/// Chooses the GPU source once, at the first read: NVML when it loads, else nvidia-smi when it is on PATH,
/// else none (every read gives <c>[]</c>).
/// </summary>
internal sealed partial class GpuProbe(ILogger<GpuProbe> logger)
{
    private readonly Lazy<Func<GpuReading>> _source = new(() => Choose(logger));

    public GpuReading Read() => _source.Value();

    private static Func<GpuReading> Choose(ILogger logger)
    {
        if (Nvml.TryOpen() is { } nvml)
        {
            LogSource(logger, "NVML");
            return nvml.Read;
        }

        if (NvidiaSmi.Find(TimeSpan.FromSeconds(5)) is { } smi)
        {
            LogSource(logger, "nvidia-smi");
            return smi.Read;
        }

        LogSource(logger, "none (no NVML library, no nvidia-smi on PATH): GPU figures are []");
        return () => GpuReading.None;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GPU probe: {Source}")]
    private static partial void LogSource(ILogger logger, string source);
}
