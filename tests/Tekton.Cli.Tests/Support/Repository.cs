namespace Tekton.Cli.Tests.Support;

/// <summary>Where the CLI the tests run is.</summary>
public static class Repository
{
    /// <summary>tekton.dll: in src/Tekton.Cli's output folder, else beside the tests (the project reference copies it).</summary>
    public static string CliDll { get; } = FindCli();

    private static string FindCli()
    {
        var candidates = new[]
        {
            Path.Combine(TektonRepository.Root, "src", "Tekton.Cli", "bin", TektonRepository.Configuration, "net10.0", "tekton.dll"),
            Path.Combine(AppContext.BaseDirectory, "tekton.dll"),
        };
        return candidates.FirstOrDefault(path => File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
            ?? throw new InvalidOperationException($"tekton.dll (with its runtimeconfig) is in none of: {string.Join(", ", candidates)}.");
    }
}
