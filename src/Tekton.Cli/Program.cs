using Tekton.Cli.CommandLine;

// The command tree is in CommandLine/TektonCommandLine.cs; each command lives in the folder of its feature.
return await TektonCommandLine.RunAsync(args);
