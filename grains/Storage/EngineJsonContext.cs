using System.Text.Json.Serialization;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;

namespace Engine.Grains.Storage;

/// <summary>Source-generated serializers for grain state: no reflection on the hot path.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentState))]
[JsonSerializable(typeof(ConversationState))]
[JsonSerializable(typeof(SentMessage))]
[JsonSerializable(typeof(SkillGroupState))]
[JsonSerializable(typeof(VisitorState))]
[JsonSerializable(typeof(TenantState))]
[JsonSerializable(typeof(FlowInstanceState))]
public sealed partial class EngineJsonContext : JsonSerializerContext;
