using Microsoft.Extensions.DependencyInjection;

namespace Engine.Persistence.Admin;

public static class AdminStores
{
    /// <summary>The stores of configuration and records read by the REST API; needs <c>AddEngineStore</c>.</summary>
    public static IServiceCollection AddEngineAdminStores(this IServiceCollection services)
    {
        services.AddSingleton<TenantStore>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<SkillGroupStore>();
        services.AddSingleton<ApiTokenStore>();
        services.AddSingleton<RecordStore>();
        services.AddSingleton<ScreenPopStore>();
        services.AddSingleton<QuickReplyStore>();
        services.AddSingleton<AudioStore>();
        services.AddSingleton<MediaStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<FlowStore>();
        services.AddSingleton<ChannelStore>();
        services.AddSingleton<DepartmentStore>();
        services.AddSingleton<MarketingStore>();
        services.AddSingleton<PhraseStore>();
        services.AddSingleton<FriendStore>();
        services.AddSingleton<Dashboard.DashboardStore>();
        services.AddSingleton<Dashboard.DashboardRollups>();
        return services;
    }
}
