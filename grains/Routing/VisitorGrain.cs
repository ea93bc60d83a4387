using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engine.Grains.Routing;

/// <summary>A returning customer (visitor id or phone number): remembers who served them last (RT-3), and the conversation a channel's flow holds them in.</summary>
[GrainType(nameof(VisitorGrain))]
public sealed class VisitorGrain([PersistentState("state", EngineGrainStorage.Name)] IPersistentState<VisitorState> state, TimeProvider time)
    : EngineGrain<VisitorState>(state, time), IVisitorGrain
{
    private Listeners<IVisitorObserver>? _listeners;

    /// <summary>A visitor with a chat open stays active, so that its subscriptions are kept.</summary>
    public override bool KeepAlive => _listeners?.Any() == true;

    public ValueTask<string?> LastAgent() => new(State.State.LastAgentId);

    public ValueTask Subscribe(IVisitorObserver observer)
    {
        Listeners<IVisitorObserver>.Subscribe(ref _listeners, observer, ServiceProvider.GetRequiredService<ILogger<VisitorGrain>>, Time);
        return default;
    }

    public ValueTask Unsubscribe(IVisitorObserver observer)
    {
        _listeners?.Unsubscribe(observer);
        return default;
    }

    public ValueTask Notify(VisitorPush push)
    {
        _listeners?.Tell(o => o.Pushed(push));
        return default;
    }

    public ValueTask<string?> CurrentConversation() => new(State.State.CurrentConversationId);

    public async ValueTask<string> OpenConversation(string? previous)
    {
        if (State.State.CurrentConversationId is { } current && current != previous) return current;
        // Server-made: 64 random bits in hex, like every conversation id.
        State.State.CurrentConversationId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        await State.WriteStateAsync();
        return State.State.CurrentConversationId;
    }

    public async ValueTask ConversationEnded(string conversationId)
    {
        if (State.State.CurrentConversationId != conversationId) return;
        State.State.CurrentConversationId = null;
        await State.WriteStateAsync();
    }

    public async ValueTask ServedBy(string agentId)
    {
        if (State.State.LastAgentId == agentId) return;
        State.State.LastAgentId = agentId;
        await State.WriteStateAsync();
    }
}
