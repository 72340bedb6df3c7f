using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;

namespace Tekton.Infrastructure.Processes;

/// <summary>
/// The stdout and stderr of supervised instances, one file per instance under the log directory
/// (<c>{component_id}/{instance_uuid}.log</c>). Reading the tail seeks from the end, so memory stays bounded
/// however much a process writes.
/// </summary>
internal sealed class LogFiles(IOptions<SupervisionOptions> options, DependencyInjection.DefaultLogDirectory defaultDirectory, IHostEnvironment environment)
    : IInstanceLogs
{
    public string Directory { get; } = options.Value.LogDirectory is { Length: > 0 } configured
        ? Path.GetFullPath(configured, environment.ContentRootPath)
        : defaultDirectory.Path;

    public string PathFor(string componentId, Guid instanceUuid) => Path.Combine(Directory, componentId, $"{instanceUuid}.log");

    public IReadOnlyList<string> Tail(string componentId, Guid instanceUuid, int lines)
    {
        var path = PathFor(componentId, instanceUuid);
        if (!File.Exists(path))
        {
            return [];
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        const int Chunk = 64 * 1024;
        var end = file.Length;
        var position = end;
        var newlines = 0;
        var buffer = new byte[Chunk];
        while (position > 0 && newlines <= lines)
        {
            var read = (int)Math.Min(Chunk, position);
            position -= read;
            file.Position = position;
            file.ReadExactly(buffer, 0, read);
            for (var i = read - 1; i >= 0; i--)
            {
                if (buffer[i] == '\n' && position + i != end - 1 && ++newlines > lines)
                {
                    position += i + 1;
                    break;
                }
            }
        }

        file.Position = position;
        var text = new byte[end - position];
        file.ReadExactly(text);
        var all = Encoding.UTF8.GetString(text).TrimEnd('\n').Split('\n');
        return all.Length == 1 && all[0].Length == 0 ? [] : all[^Math.Min(lines, all.Length)..];
    }
}

/// <summary>
/// Rotates log files that grew past <see cref="SupervisionOptions.LogFileMaxBytes"/> (copy, then truncate: the
/// process appends on), keeping three. A copy holds at most the newest LogFileMaxBytes of the file, so a process
/// that floods its output between two rotations cannot make the rotated files grow with it.
/// </summary>
internal sealed partial class LogRotation(LogFiles logs, IOptions<SupervisionOptions> options, TimeProvider clock, ILogger<LogRotation> logger) : PeriodicService(clock, logger)
{
    private const int Kept = 3;

    // A field, not the captured parameter: the parameter also goes to the base class.
    private readonly ILogger<LogRotation> _logger = logger;

    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.LogRotationSeconds);

    protected override Task TickAsync(CancellationToken cancellationToken) => Task.Run(RotateOversized, cancellationToken);

    internal void RotateOversized()
    {
        if (!Directory.Exists(logs.Directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(logs.Directory, "*.log", SearchOption.AllDirectories))
        {
            try
            {
                var length = new FileInfo(file).Length;
                if (length <= options.Value.LogFileMaxBytes)
                {
                    continue;
                }

                for (var i = Kept - 1; i >= 1; i--)
                {
                    if (File.Exists($"{file}.{i}"))
                    {
                        File.Move($"{file}.{i}", $"{file}.{i + 1}", overwrite: true);
                    }
                }

                CopyTail(file, $"{file}.1", length, options.Value.LogFileMaxBytes);
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                stream.SetLength(0);
            }
            catch (IOException exception)
            {
                LogRotateFailed(exception, file);
            }
        }
    }

    /// <summary>Copies the last <paramref name="max"/> bytes of the first <paramref name="length"/> (the first line may be cut).</summary>
    private static void CopyTail(string source, string destination, long length, long max)
    {
        using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var to = new FileStream(destination, FileMode.Create, FileAccess.Write);
        from.Position = Math.Max(0, length - max);
        var buffer = new byte[64 * 1024];
        for (var left = Math.Min(length, max); left > 0;)
        {
            var read = from.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                break;
            }

            to.Write(buffer, 0, read);
            left -= read;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotating log file {File} failed")]
    private partial void LogRotateFailed(Exception exception, string file);
}
