namespace Tekton.Cli.Tests.Support;

/// <summary>One Tekton with auth off, shared by the classes of <see cref="TektonCollection"/>; each test uses component ids of its own.</summary>
public sealed class OpenTekton : IAsyncLifetime
{
    public TektonServerProcess Server { get; private set; } = null!;

    /// <summary>The CLI with <c>TEKTON_URL</c> set to this Tekton.</summary>
    public TektonCli Cli => new(Server.BaseAddress);

    public async Task InitializeAsync() => Server = await TektonServerProcess.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One Tekton with auth on and <see cref="TektonServerProcess.AdminKey"/> as its Admin key.</summary>
public sealed class SecuredTekton : IAsyncLifetime
{
    public TektonServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TektonServerProcess.StartAsync(auth: true);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class TektonCollection : ICollectionFixture<OpenTekton>
{
    public const string Name = "Tekton with auth off";
}
