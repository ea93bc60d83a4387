using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Storage;
using Engine.Routing;

namespace Engine.Benchmarks.Suites;

/// <summary>What one grain state write costs before it reaches a store: serializing the state as the runtime does.</summary>
public class StateBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private readonly JsonSerializerOptions _options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(EngineJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
    private JsonTypeInfo<AgentState> _agentType = null!;
    private JsonTypeInfo<ConversationState> _conversationType = null!;
    private AgentState _agent = null!;
    private ConversationState _conversation = null!;

    [GlobalSetup]
    public void SetUp()
    {
        _agentType = (JsonTypeInfo<AgentState>)_options.GetTypeInfo(typeof(AgentState));
        _conversationType = (JsonTypeInfo<ConversationState>)_options.GetTypeInfo(typeof(ConversationState));
        _agent = new AgentState { AgentId = "a1234" };
        _agent.Join("g12", ServiceMode.Online, 2);
        _agent.Join("g87", ServiceMode.Online, 2);
        _agent.GoOnline(Now);
        _agent.TryReserve("1234567", "g12", Now);
        _agent.Answer("1234567", Now);
        _conversation = new ConversationState();
        _conversation.Create("1234567", "v4242", ServiceMode.Online, Now);
        _conversation.TransferTo("g12", Now);
        _conversation.Offer("a1234", Now, null);
        _conversation.AfterCall = AfterCallRule.Default;
        _conversation.Answer("a1234", Now);
    }

    [Benchmark(Description = "serialize agent state")]
    public byte[] Agent() => JsonSerializer.SerializeToUtf8Bytes(_agent, _agentType);

    [Benchmark(Description = "serialize conversation state")]
    public byte[] Conversation() => JsonSerializer.SerializeToUtf8Bytes(_conversation, _conversationType);
}
