using System.Reflection;

namespace Tekton.Cli.Tests.Support;

/// <summary>Where the repository and the build outputs the tests run are.</summary>
public static class Repository
{
    /// <summary>The folder that holds Tekton.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests were built in (Debug or Release); the projects they run were built in the same.</summary>
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>src/Tekton.Web's output folder.</summary>
    public static string WebOutput => Output("Tekton.Web", "Tekton.Web.dll");

    /// <summary>tekton.dll: in src/Tekton.Cli's output folder, else beside the tests (the project reference copies it).</summary>
    public static string CliDll { get; } = FindCli();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tekton.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tekton.sln above {AppContext.BaseDirectory}.");
    }

    private static string Output(string project, string file)
    {
        var folder = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0");
        return File.Exists(Path.Combine(folder, file))
            ? folder
            : throw new InvalidOperationException($"{file} is not in {folder}: build {project} in {Configuration} first.");
    }

    private static string FindCli()
    {
        var candidates = new[]
        {
            Path.Combine(Root, "src", "Tekton.Cli", "bin", Configuration, "net10.0", "tekton.dll"),
            Path.Combine(AppContext.BaseDirectory, "tekton.dll"),
        };
        return candidates.FirstOrDefault(path => File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
            ?? throw new InvalidOperationException($"tekton.dll (with its runtimeconfig) is in none of: {string.Join(", ", candidates)}.");
    }
}
