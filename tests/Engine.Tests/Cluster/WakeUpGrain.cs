using Orleans;
using Orleans.Runtime;

namespace Engine.Tests.Cluster;

/// <summary>A grain holding a durable wake-up, as a conversation's deadline will: the reminder tests arm and read it.</summary>
public interface IWakeUpGrain : IGrainWithStringKey
{
    Task Arm(string name, TimeSpan dueTime, TimeSpan period);

    /// <summary>The names of the grain's reminders, as the reminder service reads them from the table.</summary>
    Task<string[]> Armed();

    Task<bool> IsArmed(string name);

    Task Disarm(string name);
}

public sealed class WakeUpGrain : Grain, IWakeUpGrain, IRemindable
{
    public Task Arm(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task<string[]> Armed() => [.. (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal)];

    public async Task<bool> IsArmed(string name) => await this.GetReminder(name) is not null;

    public async Task Disarm(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"No reminder '{name}' to disarm.");
        await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
