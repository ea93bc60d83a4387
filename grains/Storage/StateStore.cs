namespace Engine.Grains.Storage;

/// <summary>Where a grain's state is kept: its type (the class name), its tenant and its key within the tenant.</summary>
public readonly record struct StateKey(string Type, string Tenant, string Key)
{
    public override string ToString() => $"{Type}/{Tenant}/{Key}";
}

public sealed record StoredState(byte[] Payload, string Etag);

/// <summary>What every store throws when a write or clear names an ETag that is no longer the stored one.</summary>
public static class StateConflict
{
    public static Orleans.Storage.InconsistentStateException Of(StateKey key, string? expected, string? stored)
        => new($"State of {key} was changed by someone else (expected ETag '{expected ?? "none"}', stored '{stored ?? "none"}')", stored, expected);
}

/// <summary>
/// The bytes of grain states, under the ETag rules of Orleans: a write or clear naming an ETag that is no longer
/// the stored one throws <see cref="Orleans.Storage.InconsistentStateException"/>. <see cref="EngineGrainStorage"/>
/// puts Orleans's <c>IGrainStorage</c> on top of one (serialization and keys); the project's stores implement it.
/// </summary>
public interface IStateStore
{
    ValueTask<StoredState?> ReadAsync(StateKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a copy of <paramref name="payload"/> (the caller reuses the buffer once this completes); <paramref name="state"/>
    /// is the object it was serialized from, for a store that keeps some of its fields as columns. Returns the new ETag.
    /// </summary>
    ValueTask<string> WriteAsync<TState>(StateKey key, TState state, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken);

    /// <summary>Clears the state; <paramref name="lastState"/> is the state as it was at the end.</summary>
    ValueTask ClearAsync<TState>(StateKey key, TState lastState, string? etag, CancellationToken cancellationToken);
}

/// <summary>What a store can tell of the live conversations it keeps: how agents' work and groups' queues are rebuilt.</summary>
public interface ILiveConversations
{
    /// <summary>The ids of the grains of a type that hold stored state (for a conversation: a live one).</summary>
    ValueTask<IReadOnlyList<StateKey>> ListAsync(string grainType, CancellationToken cancellationToken);

    /// <summary>The live conversations that name the agent (offered, active, ended and not completed).</summary>
    ValueTask<IReadOnlyList<Engine.Conversations.ConversationState>> HeldByAsync(string tenant, string agentId, CancellationToken cancellationToken);

    /// <summary>The live conversations waiting in the group's queue.</summary>
    ValueTask<IReadOnlyList<Engine.Conversations.ConversationState>> QueuedInAsync(string tenant, string groupId, CancellationToken cancellationToken);
}

/// <summary>
/// A state that holds what admins configure (a tenant's settings, a skill group's cap and overflow): a store writes
/// the audit record of the change being made, if any, in the same transaction as the state.
/// </summary>
public interface IAuditedState;

/// <summary>Where the audit record of the change being made travels: a key of the Orleans request context.</summary>
public static class AuditContext
{
    public const string Key = "engine.audit";
}
