using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Stateless;
using Stateless.Graph;
using Stateless.Reflection;

namespace Engine.StateMachines;

/// <summary>
/// A state machine defined with Stateless and fired through a lookup table compiled from that definition.
/// The <c>Configure(...).Permit(...)</c> block is the machine: its graph is Stateless's, and the table is
/// read from <see cref="StateMachine{TState,TTrigger}.GetInfo"/> once, when the machine is built. The state
/// stays where it is serialized, in the caller's plain state object; <see cref="Fire"/> and
/// <see cref="CanFire"/> are one array read each and allocate nothing. A trigger the state does not permit
/// throws <see cref="InvalidTransitionException"/>; nothing is silently ignored.
/// </summary>
/// <remarks>
/// Firing a Stateless machine costs about 1.3 KB and 1–3 µs per transition, which the routing load cannot
/// afford (about ten transitions per routed conversation). The table is exact only for what it can
/// express, so the definition may hold only unguarded <c>Permit</c> and <c>PermitReentry</c> transitions,
/// each trigger at most once per state: a guard, a dynamic or internal transition, an ignored trigger, an
/// entry, exit, activate or deactivate action, or a substate is refused when the machine is built.
/// <see cref="CreateStatelessMachine(TState)"/> builds a real Stateless machine from the same definition,
/// which the tests fire against the table for every state and trigger.
/// </remarks>
public sealed class CompiledStateMachine<TState, TTrigger>
    where TState : struct, Enum
    where TTrigger : struct, Enum
{
    private const int Refused = -1;

    private readonly int _stateCount = CountOf<TState>();
    private readonly int _triggerCount = CountOf<TTrigger>();
    private readonly Action<StateMachine<TState, TTrigger>> _configure;

    /// <summary>The target state of each (state, trigger), at <c>state * _triggerCount + trigger</c>; <see cref="Refused"/> where none.</summary>
    private readonly int[] _targets;

    /// <param name="name">Names the machine in refusals.</param>
    /// <param name="initial">Where a new state object starts; the graph marks it as the initial state.</param>
    /// <param name="configure">The <c>Configure(...).Permit(...)</c> table.</param>
    /// <exception cref="ArgumentException">The definition holds something the table cannot express.</exception>
    public CompiledStateMachine(string name, TState initial, Action<StateMachine<TState, TTrigger>> configure)
    {
        Name = name;
        _configure = configure;
        Info = CreateStatelessMachine(initial).GetInfo();
        _targets = Compile(Info);
    }

    public string Name { get; }

    /// <summary>States, triggers and transitions, as Stateless describes the definition.</summary>
    public StateMachineInfo Info { get; }

    /// <summary>The state that <paramref name="trigger"/> leads to from <paramref name="from"/>.</summary>
    /// <exception cref="InvalidTransitionException">The trigger is not permitted in <paramref name="from"/>.</exception>
    public TState Fire(TState from, TTrigger trigger)
    {
        var to = Target(from, trigger);
        if (to == Refused) ThrowRefused(from, trigger);
        return Unsafe.As<int, TState>(ref to);
    }

    public bool CanFire(TState from, TTrigger trigger) => Target(from, trigger) != Refused;

    /// <summary>The machine as a Graphviz DOT graph in UML style, printed by Stateless from the definition.</summary>
    public string ToDot() => UmlDotGraph.Format(Info);

    /// <summary>
    /// A Stateless machine built from this definition, standing in <paramref name="state"/>; a trigger it
    /// does not permit throws <see cref="InvalidTransitionException"/> like <see cref="Fire"/>. For tests and
    /// measurements: the engine fires the compiled table.
    /// </summary>
    public StateMachine<TState, TTrigger> CreateStatelessMachine(TState state)
        => Configure(new StateMachine<TState, TTrigger>(state));

    /// <summary>The same, reading and writing its state through <paramref name="read"/> and <paramref name="write"/>.</summary>
    public StateMachine<TState, TTrigger> CreateStatelessMachine(Func<TState> read, Action<TState> write)
        => Configure(new StateMachine<TState, TTrigger>(read, write));

    private StateMachine<TState, TTrigger> Configure(StateMachine<TState, TTrigger> machine)
    {
        machine.OnUnhandledTrigger((state, trigger) => ThrowRefused(state, trigger));
        _configure(machine);
        return machine;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Target(TState from, TTrigger trigger)
    {
        var state = Unsafe.As<TState, int>(ref from);
        var trig = Unsafe.As<TTrigger, int>(ref trigger);
        // An undefined enum value is refused like any trigger the state does not permit.
        if ((uint)state >= (uint)_stateCount || (uint)trig >= (uint)_triggerCount) return Refused;
        return _targets[state * _triggerCount + trig];
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowRefused(TState state, TTrigger trigger)
        => throw new InvalidTransitionException(Name, state.ToString(), trigger.ToString());

    private int[] Compile(StateMachineInfo info)
    {
        var targets = new int[_stateCount * _triggerCount];
        Array.Fill(targets, Refused);
        foreach (var state in info.States)
        {
            var from = (TState)state.UnderlyingState;
            if (state.Superstate is not null || state.Substates.Any())
                throw Unsupported(from, "has a superstate or substates");
            if (state.EntryActions.Any() || state.ExitActions.Any() || state.ActivateActions.Any() || state.DeactivateActions.Any())
                throw Unsupported(from, "has entry, exit, activate or deactivate actions");
            if (state.DynamicTransitions.FirstOrDefault() is { } dynamic)
                throw Unsupported(from, $"has a dynamic transition on '{dynamic.Trigger.UnderlyingTrigger}'");
            if (state.IgnoredTriggers.FirstOrDefault() is { } ignored)
                throw Unsupported(from, $"ignores '{ignored.Trigger.UnderlyingTrigger}'");
            foreach (var transition in state.FixedTransitions)
            {
                var trigger = (TTrigger)transition.Trigger.UnderlyingTrigger;
                if (transition.IsInternalTransition)
                    throw Unsupported(from, $"has an internal transition on '{trigger}'");
                if (transition.GuardConditionsMethodDescriptions.Any())
                    throw Unsupported(from, $"has a guarded transition on '{trigger}'");
                // Stateless accepts a trigger permitted twice from one state and fails only when it is fired.
                ref var target = ref targets[Convert.ToInt32(from) * _triggerCount + Convert.ToInt32(trigger)];
                if (target != Refused)
                    throw new ArgumentException($"{Name}: '{trigger}' is permitted more than once in state '{from}'.");
                target = Convert.ToInt32(transition.DestinationState.UnderlyingState);
            }
        }
        return targets;
    }

    private ArgumentException Unsupported(TState state, string what)
        => new($"{Name}: state '{state}' {what}; only unguarded Permit and PermitReentry transitions compile to a table.");

    /// <summary>The number of values of an enum whose values are 0, 1, ... n - 1 in an <see cref="int"/>, as the table indexes them.</summary>
    private static int CountOf<TEnum>() where TEnum : struct, Enum
    {
        if (Enum.GetUnderlyingType(typeof(TEnum)) != typeof(int))
            throw new ArgumentException($"{typeof(TEnum).Name} must be an int enum to index a transition table.");
        var values = Enum.GetValues<TEnum>().Select(v => Convert.ToInt32(v)).Distinct().Order().ToArray();
        if (!values.SequenceEqual(Enumerable.Range(0, values.Length)))
            throw new ArgumentException($"{typeof(TEnum).Name} must number its values 0, 1, ... to index a transition table.");
        return values.Length;
    }
}
