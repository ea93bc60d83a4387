namespace Engine.StateMachines;

/// <summary>Base of the engine's rule violations; the web layer turns them into problem details.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>A trigger that the current state does not permit. Names the machine, the state and the trigger.</summary>
public sealed class InvalidTransitionException(string machine, string state, string trigger)
    : DomainException($"{machine}: '{trigger}' is not allowed in state '{state}'.")
{
    public string Machine { get; } = machine;
    public string State { get; } = state;
    public string Trigger { get; } = trigger;
}
