using System.Text;

namespace Engine.StateMachines;

/// <summary>
/// An explicit state machine: every permitted (state, trigger) pair and its target. Firing a pair
/// that is not in the table throws <see cref="InvalidTransitionException"/>; nothing is silently ignored.
/// </summary>
public sealed class TransitionTable<TState, TTrigger>
    where TState : struct, Enum
    where TTrigger : struct, Enum
{
    private readonly Dictionary<(TState, TTrigger), TState> _edges = [];

    public TransitionTable(string name) => Name = name;

    public string Name { get; }

    public IEnumerable<(TState From, TTrigger Trigger, TState To)> Edges
        => _edges.Select(e => (e.Key.Item1, e.Key.Item2, e.Value));

    public TransitionTable<TState, TTrigger> Permit(TState from, TTrigger trigger, TState to)
    {
        if (!_edges.TryAdd((from, trigger), to))
            throw new ArgumentException($"{Name}: {from} --{trigger}--> is defined twice.");
        return this;
    }

    public bool CanFire(TState from, TTrigger trigger) => _edges.ContainsKey((from, trigger));

    public TState Fire(TState from, TTrigger trigger)
        => _edges.TryGetValue((from, trigger), out var to) ? to : throw new InvalidTransitionException(Name, from.ToString(), trigger.ToString());

    /// <summary>The machine as a Graphviz DOT graph.</summary>
    public string ToDot()
    {
        var dot = new StringBuilder();
        dot.Append("digraph \"").Append(Name).AppendLine("\" {");
        dot.AppendLine("  rankdir=LR;");
        foreach (var ((from, trigger), to) in _edges.OrderBy(e => e.Key.Item1).ThenBy(e => e.Key.Item2))
            dot.Append("  \"").Append(from).Append("\" -> \"").Append(to).Append("\" [label=\"").Append(trigger).AppendLine("\"];");
        dot.AppendLine("}");
        return dot.ToString();
    }
}

/// <summary>Base of the engine's rule violations; the web layer turns them into problem details.</summary>
[GenerateSerializer]
public class DomainException(string message) : Exception(message);

/// <summary>A trigger that the current state does not permit. Names the machine, the state and the trigger.</summary>
[GenerateSerializer]
public sealed class InvalidTransitionException(string machine, string state, string trigger)
    : DomainException($"{machine}: '{trigger}' is not allowed in state '{state}'.")
{
    [Id(0)]
    public string Machine { get; } = machine;

    [Id(1)]
    public string State { get; } = state;

    [Id(2)]
    public string Trigger { get; } = trigger;
}
