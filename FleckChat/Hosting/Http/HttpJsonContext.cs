using System.Text.Json.Serialization;

namespace FleckChat.Hosting.Http;

/// <summary>Source-generated JSON for the HTTP endpoints (no reflection: trimming and NativeAOT safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
