namespace Engine.StateMachines;

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
