using System.Text.Json.Serialization;
using Tekton.Domain.Components;
using Tekton.Domain.Resources;

namespace Tekton.Infrastructure.Persistence;

/// <summary>Values stored as JSON columns, serialized by generated code.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LaunchSpec))]
[JsonSerializable(typeof(ResourceRequirements))]
internal sealed partial class PersistenceJson : JsonSerializerContext;
