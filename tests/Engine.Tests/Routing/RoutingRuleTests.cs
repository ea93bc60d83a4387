using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;

namespace Engine.Tests.Routing;

public sealed class RoutingRuleTests
{
    [Fact]
    public async Task RT1_Conversations_wait_in_the_queue_and_are_offered_first_come_first_served()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.ArriveAsync("c1", "g1");
        await host.ArriveAsync("c2", "g1");
        await host.ArriveAsync("c3", "g1");
        Assert.Equal(["c1", "c2", "c3"], (await host.GroupSnapshotAsync("g1")).Queue);

        await host.OnlineAsync("a1");
        Assert.Equal("a1", await host.AgentOfAsync("c1"));
        Assert.Equal(["c2", "c3"], (await host.GroupSnapshotAsync("g1")).Queue);

        await host.AnswerAsync("c1", "a1");
        await host.EndAsync("c1", "a1");
        await host.CompleteAsync("c1", "a1");
        Assert.Equal("a1", await host.AgentOfAsync("c2"));
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("c3")).Status);
    }

    [Fact]
    public async Task RT2_Longest_idle_offers_to_the_agent_whose_work_changed_longest_ago()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 5, "a1", "a2", "a3");
        await host.OnlineAsync("a3", "a1", "a2");
        await host.ArriveAsync("c1", "g1");
        await host.ArriveAsync("c2", "g1");
        await host.ArriveAsync("c3", "g1");
        Assert.Equal(new string?[] { "a3", "a1", "a2" }, new[] { await host.AgentOfAsync("c1"), await host.AgentOfAsync("c2"), await host.AgentOfAsync("c3") });
    }

    [Fact]
    public async Task RT2_Fewest_active_offers_to_the_agent_holding_fewest_ties_by_longest_idle()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { Policy = AllocationPolicyKind.FewestActive });
        await host.GroupAsync("g1", ServiceMode.Online, 5, "a1", "a2");
        await host.GroupAsync("g2", ServiceMode.Online, 5, "a1");
        await host.OnlineAsync("a1", "a2");
        // a1 gets two conversations from another group; a2 idle more recently but holds none.
        await host.ArriveAsync("x1", "g2");
        await host.ArriveAsync("x2", "g2");
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        await host.ArriveAsync("c1", "g1");
        Assert.Equal("a2", await host.AgentOfAsync("c1"));
        await host.ArriveAsync("c2", "g1");
        Assert.Equal("a2", await host.AgentOfAsync("c2"));
        await host.ArriveAsync("c3", "g1");
        // Both hold two now: the tie goes to the one idle longer (a1's last change was earlier).
        Assert.Equal("a1", await host.AgentOfAsync("c3"));
    }

    [Fact]
    public async Task RT2_Round_robin_gives_each_available_agent_a_turn()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { Policy = AllocationPolicyKind.RoundRobin });
        await host.GroupAsync("g1", ServiceMode.Online, 10, "a1", "a2", "a3");
        await host.OnlineAsync("a1", "a2", "a3");
        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await host.ArriveAsync("c" + i, "g1");
            order.Add((await host.AgentOfAsync("c" + i))!);
        }
        Assert.Equal(["a1", "a2", "a3", "a1", "a2", "a3"], order);
    }

    [Fact]
    public async Task RT3_A_returning_customer_goes_to_the_agent_who_served_them_last_when_that_agent_can_take_it()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { LastAgentPriority = true });
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1", "alice");
        Assert.Equal("a1", await host.AgentOfAsync("c1"));
        await host.AnswerAsync("c1", "a1");
        await host.EndAsync("c1", "a1");
        await host.CompleteAsync("c1", "a1");

        // By longest idle a2 would be next; alice's last agent a1 gets her.
        await host.ArriveAsync("c2", "g1", "alice");
        Assert.Equal("a1", await host.AgentOfAsync("c2"));

        // a1 is now at cap: the next returning visit goes by the policy.
        await host.ArriveAsync("c3", "g1", "alice");
        Assert.Equal("a2", await host.AgentOfAsync("c3"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RT3_A_visitors_last_agent_is_kept_where_last_agent_priority_is_on_and_only_there(bool on)
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { LastAgentPriority = on });
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1", "alice");
        await host.AnswerAsync("c1", "a1");
        var kept = await host.Store.ReadAsync(new Engine.Grains.Storage.StateKey(nameof(Engine.Grains.Routing.VisitorGrain), RoutingHost.Tenant, "alice"), default);
        Assert.Equal(on, kept is not null);
    }

    [Fact]
    public async Task RT3_Without_last_agent_priority_a_returning_customer_follows_the_policy()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1", "alice");
        await host.AnswerAsync("c1", "a1");
        await host.EndAsync("c1", "a1");
        await host.CompleteAsync("c1", "a1");
        await host.ArriveAsync("c2", "g1", "alice");
        Assert.Equal("a2", await host.AgentOfAsync("c2"));
    }

    [Fact]
    public async Task RT4_Timeout_transfer_is_off_by_default_and_an_offer_keeps_ringing()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1");
        await host.AdvanceAsync(TimeSpan.FromMinutes(30));
        var c1 = await host.ConversationAsync("c1");
        Assert.Equal((ConversationStatus.Offered, "a1"), (c1.Status, c1.AgentId));
        Assert.Equal(AgentStatus.Busy, (await host.AgentAsync("a1")).Status);
    }

    [Fact]
    public async Task RT4_A_conversation_the_group_did_not_serve_within_T_moves_to_its_overflow_group()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 30 });
        await host.GroupAsync("g2", ServiceMode.Online, 1, "b1");
        await host.TenantGrain.CreateSkillGroup("g1", ServiceMode.Online, 1, ["g2"]);
        await host.OnlineAsync("b1");
        await host.ArriveAsync("c1", "g1");

        await host.AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Equal(("g1", ConversationStatus.Queued), ((await host.ConversationAsync("c1")).GroupId, (await host.ConversationAsync("c1")).Status));

        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        var moved = await host.ConversationAsync("c1");
        Assert.Equal(("g2", ConversationStatus.Offered, "b1"), (moved.GroupId, moved.Status, moved.AgentId));
        Assert.Empty((await host.GroupSnapshotAsync("g1")).Queue);
    }

    [Fact]
    public async Task RT5_A_conversation_is_offered_to_one_agent_at_a_time()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 10 });
        await host.GroupAsync("g1", ServiceMode.Online, 3, "a1", "a2", "a3");
        await host.OnlineAsync("a1", "a2", "a3");
        await host.ArriveAsync("c1", "g1");
        for (var round = 0; round < 3; round++)
        {
            var holders = new List<string>();
            foreach (var agent in new[] { "a1", "a2", "a3" })
            {
                if ((await host.AgentAsync(agent)).Work.Any(w => w.ConversationId == "c1")) holders.Add(agent);
            }
            Assert.Equal([(await host.AgentOfAsync("c1"))!], holders);
            await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        }
        Assert.Equal(3, host.Events.Rings.Count(r => r.ConversationId == "c1"));
    }

    [Fact]
    public async Task RT6_The_visitor_is_told_the_queue_position_on_entering_and_whenever_it_changes()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        var (_, p1) = await host.ArriveAsync("c1", "g1");
        var (_, p2) = await host.ArriveAsync("c2", "g1");
        var (_, p3) = await host.ArriveAsync("c3", "g1");
        Assert.Equal((0, 1, 2), (p1, p2, p3));
        Assert.Equal([2], host.Events.Positions.Where(p => p.ConversationId == "c3").Select(p => p.Position).ToList());

        await host.OnlineAsync("a1");
        Assert.Equal([2, 1], host.Events.Positions.Where(p => p.ConversationId == "c3").Select(p => p.Position).ToList());
        Assert.Equal([1, 0], host.Events.Positions.Where(p => p.ConversationId == "c2").Select(p => p.Position).ToList());

        await host.Conversation("c2").Abandon();
        await host.IdleAsync();
        Assert.Equal([2, 1, 0], host.Events.Positions.Where(p => p.ConversationId == "c3").Select(p => p.Position).ToList());
    }

    [Fact]
    public async Task SG3_Online_cap_limits_how_many_an_agent_holds_and_reserved_offers_count()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.ArriveAsync("c2", "g1");
        var (_, position) = await host.ArriveAsync("c3", "g1");
        Assert.Equal(0, position);
        Assert.Equal(2, (await host.AgentAsync("a1")).Work.Count);
        Assert.All((await host.AgentAsync("a1")).Work, w => Assert.Equal(WorkStage.Reserved, w.Stage));
    }

    [Fact]
    public async Task SG3_Phone_cap_is_fixed_at_one_and_a_call_is_exclusive()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("p1", ServiceMode.Phone, 5, "a1");
        await host.GroupAsync("g1", ServiceMode.Online, 5, "a1");
        Assert.Equal(1, (await host.GroupSnapshotAsync("p1")).ReceptionCap);
        await host.OnlineAsync("a1");
        await host.ArriveAsync("call1", "p1", "+861", ServiceMode.Phone);
        await host.ArriveAsync("call2", "p1", "+862", ServiceMode.Phone);
        await host.ArriveAsync("chat1", "g1");
        Assert.Equal("call1", Assert.Single((await host.AgentAsync("a1")).Work).ConversationId);
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("call2")).Status);
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("chat1")).Status);
    }

    [Fact]
    public async Task SG3_An_agent_holding_chats_is_not_offered_a_call()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("p1", ServiceMode.Phone, 1, "a1");
        await host.GroupAsync("g1", ServiceMode.Online, 5, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("chat1", "g1");
        await host.ArriveAsync("call1", "p1", "+861", ServiceMode.Phone);
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("call1")).Status);
    }

    [Fact]
    public async Task SG5_Deleting_a_group_keeps_its_agents_who_leave_the_group()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1", "a2");
        await host.GroupAsync("g2", ServiceMode.Online, 2, "a1");
        await host.TenantGrain.DeleteSkillGroup("g1");
        await host.IdleAsync();
        var a1 = await host.AgentAsync("a1");
        Assert.Equal(["g2"], a1.Groups.Keys);
        Assert.Empty((await host.AgentAsync("a2")).Groups);
        Assert.False((await host.TenantGrain.GetSkillGroups()).ContainsKey("g1"));
        await Assert.ThrowsAsync<Engine.Grains.Routing.SkillGroupUnavailableException>(() => host.ArriveAsync("c1", "g1"));
    }

    [Fact]
    public async Task SG1_The_service_mode_is_fixed_at_creation()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2);
        await Assert.ThrowsAsync<Engine.Grains.Routing.SkillGroupUnavailableException>(
            () => host.Group("g1").Configure(ServiceMode.Phone, 1, new RoutingSettings()).AsTask());
        await Assert.ThrowsAsync<Engine.Grains.Routing.SkillGroupUnavailableException>(() => host.ArriveAsync("call1", "g1", "+861", ServiceMode.Phone));
        Assert.Equal(ServiceMode.Online, (await host.GroupSnapshotAsync("g1")).Mode);
    }
}
