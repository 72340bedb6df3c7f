using System.Text.Json;
using FluentValidation;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Tests.Components;

public sealed class RegisterComponentValidatorTests
{
    private static readonly RegisterComponent Minimal = new()
    {
        ComponentId = "hermes",
        ComponentName = "Hermes",
        ComponentType = "service",
        Version = "1.0.0",
    };

    private static readonly RegisterComponent Full = Minimal with
    {
        Capabilities = ["messaging", "events:publish", "v1.routing"],
        Dependencies = ["engram", "rhetor"],
        Host = "hermes.local",
        Port = 8001,
        HealthCheck = "/health",
        Metadata = Json("""{"tier":1,"tags":["a","b"],"nested":{"x":null}}"""),
        HeartbeatInterval = 5,
        HeartbeatTimeout = 15,
        InstanceUuid = Guid.Parse("7d4e1b2a-3c5f-4a6b-8c9d-0e1f2a3b4c5d"),
    };

    private static readonly Dictionary<string, RegisterComponent> ValidCases = new()
    {
        ["only the required fields"] = Minimal,
        ["every field"] = Full,
        ["component_id of one character"] = Minimal with { ComponentId = "a" },
        ["component_id of 64 characters"] = Minimal with { ComponentId = new string('a', 64) },
        ["component_id starting with a digit"] = Minimal with { ComponentId = "9lives" },
        ["component_id with upper case, '_', '.' and '-'"] = Minimal with { ComponentId = "Api_Gateway.v2-eu" },
        ["component_name of 128 characters"] = Minimal with { ComponentName = new string('n', 128) },
        ["component_name with spaces and unicode"] = Minimal with { ComponentName = "Hermès — message bus" },
        ["component_type of one letter"] = Minimal with { ComponentType = "a" },
        ["component_type of 32 characters"] = Minimal with { ComponentType = "a" + new string('b', 31) },
        ["component_type with digits, '_' and '-'"] = Minimal with { ComponentType = "llm_v2-x" },
        ["version 0.0.0"] = Minimal with { Version = "0.0.0" },
        ["version 10.20.30"] = Minimal with { Version = "10.20.30" },
        ["version with pre-release and build"] = Minimal with { Version = "1.0.0-alpha.1+build.5" },
        ["version with numeric pre-release"] = Minimal with { Version = "1.0.0-0.3.7" },
        ["version with hyphens in pre-release"] = Minimal with { Version = "1.0.0-x-y-z.--" },
        ["version with build only"] = Minimal with { Version = "1.0.0+20130313144700" },
        ["no capabilities"] = Minimal with { Capabilities = [] },
        ["8 distinct capabilities"] = Minimal with { Capabilities = Tokens("cap", 8) },
        ["64 capabilities"] = Minimal with { Capabilities = Tokens("cap", 64) },
        ["capability of 64 characters"] = Minimal with { Capabilities = ["c" + new string('x', 63)] },
        ["no dependencies"] = Minimal with { Dependencies = [] },
        ["64 dependencies"] = Minimal with { Dependencies = Tokens("dep", 64) },
        ["dependency id of 64 characters"] = Minimal with { Dependencies = [new string('d', 64)] },
        ["dependency on an id that differs from its own only in case"] = Minimal with { Dependencies = ["Hermes"] },
        ["host localhost"] = Minimal with { Host = "localhost" },
        ["host name with dots and hyphens"] = Minimal with { Host = "api-1.example.com" },
        ["host IPv4"] = Minimal with { Host = "127.0.0.1" },
        ["host IPv6 loopback"] = Minimal with { Host = "::1" },
        ["host IPv6"] = Minimal with { Host = "2001:db8::8a2e:370:7334" },
        ["host IPv6 in brackets"] = Minimal with { Host = "[::1]" },
        ["host with an underscore, as container names have"] = Minimal with { Host = "api_gateway" },
        ["port 1"] = Minimal with { Port = 1 },
        ["port 65535"] = Minimal with { Port = 65535 },
        ["health_check '/'"] = Minimal with { HealthCheck = "/" },
        ["health_check with a query"] = Minimal with { HealthCheck = "/api/health?verbose=1" },
        ["metadata {}"] = Minimal with { Metadata = Json("{}") },
        ["metadata null"] = Minimal with { Metadata = Json("null") },
        ["metadata of exactly 32 KiB"] = Minimal with { Metadata = MetadataOfBytes(32 * 1024) },
        ["heartbeat_interval 0.1 with heartbeat_timeout 0.1"] = Minimal with { HeartbeatInterval = 0.1, HeartbeatTimeout = 0.1 },
        ["heartbeat_interval and heartbeat_timeout 86400"] = Minimal with { HeartbeatInterval = 86_400, HeartbeatTimeout = 86_400 },
        ["heartbeat_timeout equal to heartbeat_interval"] = Minimal with { HeartbeatInterval = 20, HeartbeatTimeout = 20 },
        ["heartbeat_interval alone, longer than the default timeout"] = Minimal with { HeartbeatInterval = 60 },
        ["heartbeat_timeout alone, equal to the default interval"] = Minimal with { HeartbeatTimeout = 10 },
        ["instance_uuid"] = Minimal with { InstanceUuid = Guid.NewGuid() },
    };

    private static readonly Dictionary<string, (string Field, RegisterComponent Request)> InvalidCases = new()
    {
        ["component_id missing"] = ("component_id", Minimal with { ComponentId = null }),
        ["component_id empty"] = ("component_id", Minimal with { ComponentId = "" }),
        ["component_id of 65 characters"] = ("component_id", Minimal with { ComponentId = new string('a', 65) }),
        ["component_id starting with '-'"] = ("component_id", Minimal with { ComponentId = "-hermes" }),
        ["component_id starting with '_'"] = ("component_id", Minimal with { ComponentId = "_hermes" }),
        ["component_id starting with '.'"] = ("component_id", Minimal with { ComponentId = ".hermes" }),
        ["component_id with a space"] = ("component_id", Minimal with { ComponentId = "her mes" }),
        ["component_id with a slash"] = ("component_id", Minimal with { ComponentId = "her/mes" }),
        ["component_id with a non-ASCII letter"] = ("component_id", Minimal with { ComponentId = "hermès" }),
        ["component_id with a trailing newline"] = ("component_id", Minimal with { ComponentId = "hermes\n" }),
        ["component_name missing"] = ("component_name", Minimal with { ComponentName = null }),
        ["component_name empty"] = ("component_name", Minimal with { ComponentName = "" }),
        ["component_name blank"] = ("component_name", Minimal with { ComponentName = "   " }),
        ["component_name of 129 characters"] = ("component_name", Minimal with { ComponentName = new string('n', 129) }),
        ["component_type missing"] = ("component_type", Minimal with { ComponentType = null }),
        ["component_type empty"] = ("component_type", Minimal with { ComponentType = "" }),
        ["component_type with upper case"] = ("component_type", Minimal with { ComponentType = "Service" }),
        ["component_type starting with a digit"] = ("component_type", Minimal with { ComponentType = "1service" }),
        ["component_type starting with '_'"] = ("component_type", Minimal with { ComponentType = "_service" }),
        ["component_type of 33 characters"] = ("component_type", Minimal with { ComponentType = "a" + new string('b', 32) }),
        ["component_type with a '.'"] = ("component_type", Minimal with { ComponentType = "ser.vice" }),
        ["component_type with a trailing newline"] = ("component_type", Minimal with { ComponentType = "service\n" }),
        ["version missing"] = ("version", Minimal with { Version = null }),
        ["version empty"] = ("version", Minimal with { Version = "" }),
        ["version with two parts"] = ("version", Minimal with { Version = "1.0" }),
        ["version with a leading zero"] = ("version", Minimal with { Version = "01.0.0" }),
        ["version with a 'v' prefix"] = ("version", Minimal with { Version = "v1.0.0" }),
        ["version with an empty pre-release"] = ("version", Minimal with { Version = "1.0.0-" }),
        ["version with a leading zero in a numeric pre-release"] = ("version", Minimal with { Version = "1.0.0-01" }),
        ["version with an empty build"] = ("version", Minimal with { Version = "1.0.0+" }),
        ["version with four parts"] = ("version", Minimal with { Version = "1.0.0.0" }),
        ["version of 129 characters"] = ("version", Minimal with { Version = "1.0.0-" + new string('a', 123) }),
        ["version with a trailing newline"] = ("version", Minimal with { Version = "1.0.0\n" }),
        ["65 capabilities"] = ("capabilities", Minimal with { Capabilities = Tokens("cap", 65) }),
        ["duplicate capabilities"] = ("capabilities", Minimal with { Capabilities = ["chat", "chat"] }),
        // Up to 8 items are compared pairwise, more through a set: a duplicate last in each kind of list.
        ["8 capabilities, the last a duplicate"] = ("capabilities", Minimal with { Capabilities = [.. Tokens("cap", 7), "cap3"] }),
        ["64 capabilities, the last a duplicate"] = ("capabilities", Minimal with { Capabilities = [.. Tokens("cap", 63), "cap0"] }),
        ["a null capability"] = ("capabilities", Minimal with { Capabilities = ["chat", null] }),
        ["an empty capability"] = ("capabilities", Minimal with { Capabilities = [""] }),
        ["a capability with a space"] = ("capabilities", Minimal with { Capabilities = ["text chat"] }),
        ["a capability of 65 characters"] = ("capabilities", Minimal with { Capabilities = ["c" + new string('x', 64)] }),
        ["a capability starting with ':'"] = ("capabilities", Minimal with { Capabilities = [":chat"] }),
        ["a capability with a trailing newline"] = ("capabilities", Minimal with { Capabilities = ["chat\n"] }),
        ["65 dependencies"] = ("dependencies", Minimal with { Dependencies = Tokens("dep", 65) }),
        ["duplicate dependencies"] = ("dependencies", Minimal with { Dependencies = ["engram", "engram"] }),
        ["9 dependencies, the last a duplicate"] = ("dependencies", Minimal with { Dependencies = [.. Tokens("dep", 8), "dep7"] }),
        ["a null dependency"] = ("dependencies", Minimal with { Dependencies = ["engram", null] }),
        ["a dependency that is no component_id"] = ("dependencies", Minimal with { Dependencies = ["-engram"] }),
        ["a dependency id of 65 characters"] = ("dependencies", Minimal with { Dependencies = [new string('d', 65)] }),
        ["a dependency with a trailing newline"] = ("dependencies", Minimal with { Dependencies = ["engram\n"] }),
        ["a dependency on itself"] = ("dependencies", Minimal with { Dependencies = ["engram", "hermes"] }),
        ["host empty"] = ("host", Minimal with { Host = "" }),
        ["host with a space"] = ("host", Minimal with { Host = "bad host" }),
        ["host that is a dotted-decimal but no IPv4 address"] = ("host", Minimal with { Host = "256.256.256.256" }),
        ["host with a trailing newline"] = ("host", Minimal with { Host = "hermes\n" }),
        ["host given as a URL"] = ("host", Minimal with { Host = "http://hermes" }),
        ["host with a port"] = ("host", Minimal with { Host = "hermes:8001" }),
        ["host of 254 characters"] = ("host", Minimal with { Host = string.Join('.', Enumerable.Repeat(new string('h', 50), 5)) + ".hhh" }),
        ["port 0"] = ("port", Minimal with { Port = 0 }),
        ["port -1"] = ("port", Minimal with { Port = -1 }),
        ["port 65536"] = ("port", Minimal with { Port = 65536 }),
        ["health_check without a leading '/'"] = ("health_check", Minimal with { HealthCheck = "health" }),
        ["health_check empty"] = ("health_check", Minimal with { HealthCheck = "" }),
        ["health_check as an absolute URL"] = ("health_check", Minimal with { HealthCheck = "http://hermes/health" }),
        ["health_check with a space"] = ("health_check", Minimal with { HealthCheck = "/he alth" }),
        ["health_check that is a network-path reference to another host"] = ("health_check", Minimal with { HealthCheck = "//evil.example/health" }),
        ["health_check with a control character"] = ("health_check", Minimal with { HealthCheck = "/health\t" }),
        ["health_check of 2049 characters"] = ("health_check", Minimal with { HealthCheck = "/" + new string('h', 2048) }),
        ["metadata an array"] = ("metadata", Minimal with { Metadata = Json("[1,2]") }),
        ["metadata a string"] = ("metadata", Minimal with { Metadata = Json("\"text\"") }),
        ["metadata a number"] = ("metadata", Minimal with { Metadata = Json("42") }),
        ["metadata a boolean"] = ("metadata", Minimal with { Metadata = Json("true") }),
        ["metadata one byte over 32 KiB"] = ("metadata", Minimal with { Metadata = MetadataOfBytes((32 * 1024) + 1) }),
        ["heartbeat_interval 0"] = ("heartbeat_interval", Minimal with { HeartbeatInterval = 0 }),
        ["heartbeat_interval below 0.1"] = ("heartbeat_interval", Minimal with { HeartbeatInterval = 0.09 }),
        ["heartbeat_interval negative"] = ("heartbeat_interval", Minimal with { HeartbeatInterval = -10 }),
        ["heartbeat_interval over a day"] = ("heartbeat_interval", Minimal with { HeartbeatInterval = 86_401 }),
        ["heartbeat_interval NaN"] = ("heartbeat_interval", Minimal with { HeartbeatInterval = double.NaN }),
        ["heartbeat_timeout 0"] = ("heartbeat_timeout", Minimal with { HeartbeatInterval = 0.1, HeartbeatTimeout = 0 }),
        ["heartbeat_timeout over a day"] = ("heartbeat_timeout", Minimal with { HeartbeatTimeout = 86_401 }),
        ["heartbeat_timeout below heartbeat_interval"] = ("heartbeat_timeout", Minimal with { HeartbeatInterval = 20, HeartbeatTimeout = 10 }),
        ["heartbeat_timeout alone, below the default interval"] = ("heartbeat_timeout", Minimal with { HeartbeatTimeout = 5 }),
        ["instance_uuid empty"] = ("instance_uuid", Minimal with { InstanceUuid = Guid.Empty }),
    };

    private readonly RegisterComponentValidator _validator = new();

    public RegisterComponentValidatorTests()
    {
        // The same naming that DependencyInjection.AddApplicationServices sets up.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        ValidatorOptions.Global.LanguageManager.Enabled = false;
    }

    public static TheoryData<string> ValidCaseNames => [.. ValidCases.Keys];

    public static TheoryData<string> InvalidCaseNames => [.. InvalidCases.Keys];

    [Theory]
    [MemberData(nameof(ValidCaseNames))]
    public void A_valid_registration_passes(string name)
    {
        var result = _validator.Validate(ValidCases[name]);

        result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(InvalidCaseNames))]
    public void An_invalid_registration_fails_on_its_snake_case_field(string name)
    {
        var (field, request) = InvalidCases[name];

        var result = _validator.Validate(request);

        result.IsValid.Should().BeFalse();
        result.Errors.Select(e => e.PropertyName).Distinct().Should().Equal(field);
        result.Errors.Should().OnlyContain(e => !string.IsNullOrWhiteSpace(e.ErrorMessage));
    }

    [Fact]
    public void An_empty_registration_names_every_required_field()
    {
        var result = _validator.Validate(new RegisterComponent());

        result.Errors.Select(e => e.PropertyName).Distinct().Should()
            .BeEquivalentTo("component_id", "component_name", "component_type", "version");
    }

    [Fact]
    public void Every_broken_rule_is_reported_at_once()
    {
        var request = Full with { ComponentId = "-x", Port = 0, HealthCheck = "health", Metadata = Json("[]") };

        var result = _validator.Validate(request);

        result.Errors.Select(e => e.PropertyName).Distinct().Should()
            .BeEquivalentTo("component_id", "port", "health_check", "metadata");
    }

    [Fact]
    public void A_self_dependency_is_reported_with_its_own_message()
    {
        var result = _validator.Validate(Minimal with { Dependencies = ["hermes"] });

        result.Errors.Should().ContainSingle().Which.ErrorMessage.Should().Be("A component cannot depend on itself.");
    }

    [Fact]
    public void Registration_validation_failures_carry_code_1002()
    {
        ((ITektonRequest)Minimal).ValidationErrorCode.Should().Be(ErrorCode.RegistrationFailed);
        ((int)ErrorCode.RegistrationFailed).Should().Be(1002);
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A metadata object whose UTF-8 text is exactly <paramref name="bytes"/> long.</summary>
    private static JsonElement MetadataOfBytes(int bytes)
    {
        const string envelope = """{"k":""}""";
        var element = Json($$"""{"k":"{{new string('x', bytes - envelope.Length)}}"}""");
        System.Text.Encoding.UTF8.GetByteCount(element.GetRawText()).Should().Be(bytes);
        return element;
    }

    private static string?[] Tokens(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"{prefix}{i}")];
}
