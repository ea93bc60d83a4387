using Dapper;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Persistence;
using Engine.Routing;
using Engine.StateMachines;
using Engine.Tests.Routing;

namespace Engine.Tests.Persistence;

public sealed class MessageTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Messages_are_numbered_in_their_conversation_and_a_resend_is_stored_exactly_once(string store)
    {
        await using var database = await TestStore.ForAsync(store);
        await using var host = await RoutingHost.StartOnAsync(database);
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1");
        var conversation = host.Conversation("c1");

        var first = await conversation.Call(static c => c.AppendMessage(MessageSender.Visitor, null, "text", "在吗?", "m-1"));
        var resends = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => conversation.Call(static c => c.AppendMessage(MessageSender.Visitor, null, "text", "在吗?", "m-1")).AsTask()));
        await host.AnswerAsync("c1", "a1");
        var reply = await conversation.Call(static c => c.AppendMessage(MessageSender.Agent, "a1", "text", "您好", "a-1"));
        var third = await conversation.Call(static c => c.AppendMessage(MessageSender.Visitor, null, "image", "https://img/1.png", null));

        Assert.Equal((1L, true), first);
        Assert.All(resends, r => Assert.Equal((1L, false), r));
        Assert.Equal((2L, true), reply);
        Assert.Equal((3L, true), third);
        // Only the agent holding the active conversation writes in it.
        await Assert.ThrowsAsync<DomainException>(() => conversation.Call(static c => c.AppendMessage(MessageSender.Agent, "a2", "text", "hi", null)).AsTask());

        if (database is null) return;
        await using var connection = await database.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(long Seq, string Sender, string Content)>(
            "SELECT seq, sender_kind, content FROM messages WHERE conversation_id = 'c1' ORDER BY seq")).ToList();
        Assert.Equal([(1L, "visitor", "在吗?"), (2L, "agent", "您好"), (3L, "visitor", "https://img/1.png")], rows);
    }
}
