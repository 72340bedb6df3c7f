using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Lifecycle;

/// <summary>The wire shape of a launch spec (design §6.3), the same in registrations and in answers. Times in seconds.</summary>
public sealed record LaunchBody
{
    [Description("Executable: a path, or a name looked up in PATH")]
    [Required]
    public string? Command { get; init; }

    public IReadOnlyList<string?>? Args { get; init; }

    [Description("Working directory (at most 4096 characters, no NUL); relative paths are resolved against Tekton's content root")]
    public string? WorkingDirectory { get; init; }

    [Description("Extra environment variables for the process")]
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    [Description("no | on-failure (default) | always")]
    public string? Restart { get; init; }

    [Description("Restarts allowed within restart_window before the instance is left failed (default 5)")]
    public int? MaxRestarts { get; init; }

    [Description("Seconds over which max_restarts counts (default 60)")]
    public double? RestartWindow { get; init; }

    [Description("Seconds to become ready before the process is killed and the instance failed (default 60)")]
    public double? StartupTimeout { get; init; }

    [Description("Seconds between SIGTERM and SIGKILL on stop (default 30)")]
    public double? StopTimeout { get; init; }

    [Description("The node that runs the process, with several nodes; default: the node that received the registration")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; init; }

    public static string ToWire(RestartPolicy policy) => policy switch
    {
        RestartPolicy.No => "no",
        RestartPolicy.Always => "always",
        _ => "on-failure",
    };

    public static LaunchBody From(LaunchSpec spec) => new()
    {
        Command = spec.Command,
        Args = [.. spec.Args],
        WorkingDirectory = spec.WorkingDirectory,
        Env = spec.Env,
        Restart = ToWire(spec.Restart),
        MaxRestarts = spec.MaxRestarts,
        RestartWindow = spec.RestartWindow,
        StartupTimeout = spec.StartupTimeout,
        StopTimeout = spec.StopTimeout,
        Node = spec.Node,
    };

    /// <summary>The domain spec with defaults filled in; call after validation.</summary>
    public LaunchSpec ToSpec()
    {
        var defaults = new LaunchSpec { Command = Command! };
        return defaults with
        {
            Args = [.. (Args ?? []).OfType<string>()],
            WorkingDirectory = WorkingDirectory,
            Env = Env ?? defaults.Env,
            Restart = Restart switch { "no" => RestartPolicy.No, "always" => RestartPolicy.Always, _ => RestartPolicy.OnFailure },
            MaxRestarts = MaxRestarts ?? defaults.MaxRestarts,
            RestartWindow = RestartWindow ?? defaults.RestartWindow,
            StartupTimeout = StartupTimeout ?? defaults.StartupTimeout,
            StopTimeout = StopTimeout ?? defaults.StopTimeout,
            Node = Node,
        };
    }
}

public sealed class LaunchBodyValidator : AbstractValidator<LaunchBody>
{
    public LaunchBodyValidator()
    {
        // Stop at the first failure: the later rules cannot judge a missing command.
        RuleFor(l => l.Command).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("launch.command is required.")
            .MaximumLength(4096).WithMessage("launch.command must be at most 4096 characters.")
            .Must(c => !c!.Any(char.IsControl)).WithMessage("launch.command must not contain control characters.");
        RuleFor(l => l.Args).Must(a => a!.Count <= 256 && a.All(x => x is { Length: <= 4096 } && !x.Contains('\0')))
            .When(l => l.Args is not null)
            .WithMessage("launch.args must be at most 256 strings of at most 4096 characters.");
        RuleFor(l => l.Env).Must(e => e!.Count <= 128 && e.All(v => Wire.EnvironmentName().IsMatch(v.Key) && v.Value is { Length: <= 32_768 } && !v.Value.Contains('\0')))
            .When(l => l.Env is not null)
            .WithMessage("launch.env must map at most 128 names ([A-Za-z_][A-Za-z0-9_]*) to strings.");
        // Found by the OpenAPI fuzzer: a NUL in the folder was stored and made every start fail with a 500.
        RuleFor(l => l.WorkingDirectory).Must(d => d!.Length <= 4096 && !d.Contains('\0')).When(l => l.WorkingDirectory is not null)
            .WithMessage("launch.working_directory must be a path of at most 4096 characters without NUL.");
        RuleFor(l => l.Restart).Must(r => r is "no" or "on-failure" or "always").When(l => l.Restart is not null)
            .WithMessage("launch.restart must be one of no, on-failure, always.");
        RuleFor(l => l.MaxRestarts).InclusiveBetween(0, 1000).When(l => l.MaxRestarts is not null)
            .WithMessage("launch.max_restarts must be between 0 and 1000.");
        RuleFor(l => l.RestartWindow).InclusiveBetween(1, 86_400).When(l => l.RestartWindow is not null)
            .WithMessage("launch.restart_window must be between 1 and 86400 seconds.");
        RuleFor(l => l.StartupTimeout).InclusiveBetween(0.1, 3600).When(l => l.StartupTimeout is not null)
            .WithMessage("launch.startup_timeout must be between 0.1 and 3600 seconds.");
        RuleFor(l => l.Node).Must(n => n!.Length is >= 1 and <= 64 && !n.Any(char.IsControl)).When(l => l.Node is not null)
            .WithMessage("launch.node must be a node name of 1 to 64 characters.");
        RuleFor(l => l.StopTimeout).InclusiveBetween(0, 3600).When(l => l.StopTimeout is not null)
            .WithMessage("launch.stop_timeout must be between 0 and 3600 seconds.");
    }
}
