namespace Tekton.Cli.CommandLine;

/// <summary>The user asked for something the CLI cannot do as given: exit code 2.</summary>
internal sealed class UsageException(string message, Exception? innerException = null) : Exception(message, innerException);
