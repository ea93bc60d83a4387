using System.Globalization;
using Dapper;
using Engine.Conversations;
using Engine.Persistence;

namespace Engine.Benchmarks.History;

/// <summary>What to generate: conversations and messages in all, over the <paramref name="Days"/> days before <paramref name="Now"/>.</summary>
internal sealed record HistoryShape(int Conversations, long Messages, int Days, DateTimeOffset Now, int Seed);

/// <summary>The four tables filled in bulk, with the columns the generator gives.</summary>
internal static class HistoryTables
{
    public static readonly BulkTable Conversations = new("conversations",
    [
        new("tenant_id", BulkType.Text), new("id", BulkType.Text), new("channel_id", BulkType.Text), new("account_id", BulkType.Text),
        new("visitor_id", BulkType.Text), new("mode", BulkType.Text), new("group_id", BulkType.Text), new("agent_id", BulkType.Text),
        new("region", BulkType.Text), new("status", BulkType.Text), new("created_at", BulkType.BigInt), new("queued_at", BulkType.BigInt),
        new("offered_at", BulkType.BigInt), new("answered_at", BulkType.BigInt), new("first_response_at", BulkType.BigInt),
        new("ended_at", BulkType.BigInt), new("end_reason", BulkType.Text), new("updated_at", BulkType.BigInt), new("rolled", BulkType.SmallInt),
    ]);

    public static readonly BulkTable Messages = new("messages",
    [
        new("conversation_id", BulkType.Text), new("seq", BulkType.Integer), new("tenant_id", BulkType.Text), new("sender_kind", BulkType.Text),
        new("agent_id", BulkType.Text), new("kind", BulkType.Text), new("content", BulkType.Text), new("sent_at", BulkType.BigInt),
    ]);

    public static readonly BulkTable Visits = new("visits",
    [
        new("tenant_id", BulkType.Text), new("id", BulkType.Text), new("visitor_id", BulkType.Text), new("channel_id", BulkType.Text),
        new("account_id", BulkType.Text), new("at", BulkType.BigInt), new("rolled", BulkType.SmallInt),
    ]);

    public static readonly BulkTable Friends = new("marketing_friends",
    [
        new("tenant_id", BulkType.Text), new("account_id", BulkType.Text), new("agent_id", BulkType.Text), new("customer_id", BulkType.Text),
        new("channel_id", BulkType.Text), new("added_at", BulkType.BigInt),
    ]);

    public static IReadOnlyList<BulkTable> All { get; } = [Conversations, Messages, Visits, Friends];
}

/// <summary>
/// A month of one busy tenant (time zone Asia/Shanghai), made up but shaped like the real thing: ten marketing accounts
/// with twelve agents each, twenty skill groups with eight agents each (every one in two groups), returning visitors (a
/// pool of 30% of the conversations, a tenth of them regulars who come back often) from provinces weighted by
/// population, arrivals following the day's curve (quiet at night, peaks mid-morning, mid-afternoon and evening, a
/// quieter weekend), 7% of conversations abandoned in the queue, messages alternating visitor and agent (3% images),
/// visits half again as many as conversations (some from visitors who never write), and a friend added for about 3% of
/// visitors. The same <see cref="HistoryShape.Seed"/> makes the same history relative to <see cref="HistoryShape.Now"/>.
/// </summary>
internal sealed class HistoryGenerator
{
    private const string Zone = "Asia/Shanghai";
    private const int AgentsPerAccount = 12;
    private const int GroupAgents = 80;
    private const long Second = 1000;
    private const long Minute = 60 * Second;

    /// <summary>The day's curve: the share of arrivals in each local hour, 0 to 23.</summary>
    private static readonly double[] HourCurve = [1.0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 3.0, 5.0, 6.5, 6.5, 5.0, 5.0, 6.0, 6.5, 6.0, 5.5, 5.0, 5.5, 6.0, 5.5, 4.0, 2.0];

    /// <summary>Each account's share of the marketing visitors.</summary>
    private static readonly int[] AccountWeights = [20, 15, 12, 10, 10, 8, 8, 7, 5, 5];

    private readonly HistoryShape _shape;
    private readonly Random _random;
    private readonly long _start;
    private readonly long _end;
    private readonly string[] _agents;
    private readonly string[] _nicknames;
    private readonly string[] _accounts;
    private readonly string[] _groups;
    private readonly int[][] _groupMembers;
    private readonly string[] _channels;
    private readonly Visitor[] _visitors;
    private readonly Visitor[] _browsers;
    private readonly bool[] _befriended;

    /// <summary>A visitor: the id the channel knows them by, and where they come from (an account, or a favourite group).</summary>
    private sealed record Visitor(string Id, string ChannelId, int Account, int Group, string Region);

    public HistoryGenerator(HistoryShape shape)
    {
        _shape = shape;
        _random = new Random(shape.Seed);
        _end = shape.Now.ToUnixTimeMilliseconds();
        _start = shape.Now.AddDays(-shape.Days).ToUnixTimeMilliseconds();
        TenantId = NewId();
        _agents = [.. Enumerable.Range(0, HistoryTexts.AccountNames.Length * AgentsPerAccount + GroupAgents).Select(_ => NewId())];
        _nicknames = [.. _agents.Select(_ => HistoryTexts.GivenNames[_random.Next(HistoryTexts.GivenNames.Length)] + "老师")];
        _accounts = [.. HistoryTexts.AccountNames.Select(_ => NewId())];
        _groups = [.. HistoryTexts.GroupNames.Select(_ => NewId())];
        var firstGroupAgent = _accounts.Length * AgentsPerAccount;
        _groupMembers = [.. _groups.Select((_, g) => Enumerable.Range(0, GroupAgents)
            .Where(a => a % _groups.Length == g || (a + 7) % _groups.Length == g).Select(a => firstGroupAgent + a).ToArray())];
        _channels = [NewId(), NewId(), NewId()];
        _visitors = [.. Enumerable.Range(0, Math.Max(1, shape.Conversations * 3 / 10)).Select(_ => NewVisitor())];
        _browsers = [.. Enumerable.Range(0, Math.Max(1, shape.Conversations / 10)).Select(_ => NewVisitor())];
        _befriended = new bool[_visitors.Length];
    }

    public string TenantId { get; }

    /// <summary>The tenant and its people: an admin, the agents, the accounts with their staff and chat channels, the groups and their members, three channels.</summary>
    public async Task WriteSetupAsync(Database database, CancellationToken cancellationToken)
    {
        var created = _start - 200L * 24 * 60 * Minute;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        Task Run(string sql, object rows) => connection.ExecuteAsync(new CommandDefinition(sql, rows, transaction, cancellationToken: cancellationToken));

        await Run("INSERT INTO tenants (id, name, time_zone, created_at, updated_at) VALUES (@TenantId, @name, @zone, @created, @created)",
            new { TenantId, name = "星河教育科技", zone = Zone, created }).ConfigureAwait(false);
        var people = _agents.Select((id, n) => new
        {
            Id = id, Email = $"agent{n + 1:D3}@xinghe.example", Name = HistoryTexts.PersonName(_random), Nickname = _nicknames[n],
            Phone = $"13{_random.Next(100_000_000, 999_999_999)}", StaffNo = (1001 + n).ToString(CultureInfo.InvariantCulture), Role = "agent",
        }).Prepend(new { Id = NewId(), Email = "admin@xinghe.example", Name = "管理员", Nickname = "管理员", Phone = "13800000000", StaffNo = "0001", Role = "admin" });
        await Run(
            """
            INSERT INTO users (id, tenant_id, email, name, nickname, phone, staff_no, role, password_hash, must_change_password, created_at, updated_at)
            VALUES (@Id, @tenant, @Email, @Name, @Nickname, @Phone, @StaffNo, @Role, 'made-up: no sign-in', 1, @created, @created)
            """, people.Select(p => new { p.Id, tenant = TenantId, p.Email, p.Name, p.Nickname, p.Phone, p.StaffNo, p.Role, created }).ToList()).ConfigureAwait(false);
        await Run("INSERT INTO skill_groups (id, tenant_id, name, mode, created_at, updated_at) VALUES (@id, @tenant, @name, 'Online', @created, @created)",
            _groups.Select((id, g) => new { id, tenant = TenantId, name = HistoryTexts.GroupNames[g], created }).ToList()).ConfigureAwait(false);
        await Run("INSERT INTO skill_group_members (tenant_id, group_id, user_id, added_at) VALUES (@tenant, @group, @user, @created)",
            _groupMembers.SelectMany((members, g) => members.Select(a => new { tenant = TenantId, group = _groups[g], user = _agents[a], created })).ToList()).ConfigureAwait(false);
        await Run(
            """
            INSERT INTO marketing_accounts (id, tenant_id, name, sub_org, avatar_id, test_key, settings, created_at, updated_at)
            VALUES (@id, @tenant, @name, NULL, NULL, @key, '{}', @created, @created)
            """, _accounts.Select((id, a) => new { id, tenant = TenantId, name = HistoryTexts.AccountNames[a], key = NewId(), created }).ToList()).ConfigureAwait(false);
        await Run("INSERT INTO marketing_staff (tenant_id, account_id, kind, ref_id) VALUES (@tenant, @account, 'agent', @agent)",
            _accounts.SelectMany((id, a) => Enumerable.Range(a * AgentsPerAccount, AgentsPerAccount).Select(n => new { tenant = TenantId, account = id, agent = _agents[n] })).ToList()).ConfigureAwait(false);
        var channels = _accounts.Select((id, a) => new { id, kind = "marketing", name = HistoryTexts.AccountNames[a] })
            .Concat([new { id = _channels[0], kind = "website", name = "官网在线咨询" }, new { id = _channels[1], kind = "wechat", name = "微信公众号" }, new { id = _channels[2], kind = "mini-program", name = "星河学习小程序" }]);
        await Run(
            """
            INSERT INTO channels (id, tenant_id, kind, name, mode, settings, flow_id, channel_key, token_hash, created_at, updated_at)
            VALUES (@id, @tenant, @kind, @name, 'online', '{}', NULL, @key, @hash, @created, @created)
            """, channels.Select(c => new { c.id, tenant = TenantId, c.kind, c.name, key = NewId(), hash = NewId() + NewId(), created }).ToList()).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the conversations in the order they began, each with its messages, its visit and the visits around it,
    /// and the friends added; <paramref name="progress"/> hears of every tenth of the conversations written.
    /// </summary>
    public void Generate(BulkSink sink, Action<int> progress, CancellationToken cancellationToken)
    {
        var writers = new Writers(sink.Writer(HistoryTables.Conversations), sink.Writer(HistoryTables.Messages), sink.Writer(HistoryTables.Visits), sink.Writer(HistoryTables.Friends));
        var messagesLeft = _shape.Messages;
        var done = 0;
        var tenth = Math.Max(1, _shape.Conversations / 10);
        foreach (var (from, count) in Slots())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var times = new long[count];
            for (var i = 0; i < count; i++) times[i] = from + _random.NextInt64(Hour);
            Array.Sort(times);
            foreach (var created in times)
            {
                messagesLeft -= Conversation(writers, Math.Min(created, _end - 10 * Minute), messagesLeft, _shape.Conversations - done);
                if (++done % tenth == 0) progress(done);
            }
        }
    }

    private const long Hour = 60 * Minute;

    private sealed record Writers(BulkWriter Conversations, BulkWriter Messages, BulkWriter Visits, BulkWriter Friends);

    /// <summary>
    /// The hours of the period (from the first whole hour) and how many conversations begin in each: the conversations
    /// shared by the day's curve of the tenant's zone, weekends at three quarters, rounded so that they add up exactly.
    /// </summary>
    private IEnumerable<(long From, int Count)> Slots()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var hours = new List<(long From, double Weight)>();
        for (var from = _start - _start % Hour; from + Hour <= _end; from += Hour)
        {
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(from), zone);
            var weekend = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            hours.Add((from, HourCurve[local.Hour] * (weekend ? 0.75 : 1.0)));
        }
        var total = hours.Sum(h => h.Weight);
        var cumulative = 0.0;
        var given = 0L;
        foreach (var (from, weight) in hours)
        {
            cumulative += weight;
            var upTo = (long)Math.Round(cumulative / total * _shape.Conversations);
            yield return (from, (int)(upTo - given));
            given = upTo;
        }
    }

    /// <summary>
    /// A conversation's messages: around what is left per conversation left (so that the total comes out exact), varied
    /// from a third to twice that (one or two for an abandoned one); none or one when fewer are left than conversations.
    /// </summary>
    private int MessageCount(long messagesLeft, int conversationsLeft, bool abandoned)
    {
        if (conversationsLeft <= 1) return (int)Math.Max(0, messagesLeft);
        var average = (double)messagesLeft / conversationsLeft;
        if (average < 1) return _random.NextDouble() < average ? 1 : 0;
        if (abandoned) return 1 + _random.Next(2);
        return (int)Math.Clamp(Math.Round(average * (0.3 + 1.4 * _random.NextDouble())), 1, 200);
    }

    /// <summary>Writes a conversation that began at <paramref name="created"/>, its messages, visits and friend; the number of messages.</summary>
    private int Conversation(Writers w, long created, long messagesLeft, int conversationsLeft)
    {
        var regular = _random.NextDouble() < 0.35;
        var visitorIndex = _random.Next(regular ? Math.Max(1, _visitors.Length / 10) : _visitors.Length);
        var visitor = _visitors[visitorIndex];
        var id = NewId();
        var account = visitor.Account >= 0 ? _accounts[visitor.Account] : null;
        var groupIndex = _random.NextDouble() < 0.8 ? visitor.Group : _random.Next(_groups.Length);
        var group = account ?? _groups[groupIndex];
        var abandoned = _random.NextDouble() < 0.07;
        var agent = abandoned ? -1 : visitor.Account >= 0
            ? visitor.Account * AgentsPerAccount + _random.Next(AgentsPerAccount)
            : _groupMembers[groupIndex][_random.Next(_groupMembers[groupIndex].Length)];
        var messageCount = MessageCount(messagesLeft, conversationsLeft, abandoned);

        // Offsets from the creation: the flow until queued, the wait, then the messages.
        var queued = _random.NextInt64(3 * Second, 40 * Second);
        long? answered = null;
        long? offered = null;
        var times = new long[messageCount];
        var byAgent = new bool[messageCount];
        long ended;
        string endReason;
        if (abandoned)
        {
            ended = queued + Math.Clamp((long)(-Math.Log(1 - _random.NextDouble()) * Minute), 5 * Second, 15 * Minute);
            for (var i = 0; i < messageCount; i++) times[i] = Second + (ended - Second) * (i + 1) / (messageCount + 1);
            endReason = nameof(EndReason.CustomerLeft);
        }
        else
        {
            answered = queued + Second + Math.Min(10 * Minute, (long)(-Math.Log(1 - _random.NextDouble()) * 18 * Second));
            offered = Math.Max(queued, answered.Value - _random.NextInt64(1 * Second, 4 * Second));
            var at = _random.NextInt64(1 * Second, queued);
            var agentSpoke = false;
            for (var i = 0; i < messageCount; i++)
            {
                // The visitor mostly writes first; then the turn passes to the other side seven times in ten.
                byAgent[i] = i == 0 ? _random.NextDouble() < 0.05 : _random.NextDouble() < 0.7 ? !byAgent[i - 1] : byAgent[i - 1];
                if (byAgent[i] && !agentSpoke) at = Math.Max(at, answered.Value) + _random.NextInt64(3 * Second, 25 * Second);
                else if (i > 0) at += byAgent[i] ? _random.NextInt64(5 * Second, 60 * Second) : _random.NextInt64(10 * Second, 120 * Second);
                agentSpoke |= byAgent[i];
                times[i] = at;
            }
            var roll = _random.NextDouble();
            (endReason, var after) = roll < 0.80 ? (nameof(EndReason.AgentEnded), _random.NextInt64(10 * Second, 2 * Minute))
                : roll < 0.92 ? (nameof(EndReason.CustomerReplyTimeout), 3 * Minute)
                : (nameof(EndReason.CustomerLeft), _random.NextInt64(30 * Second, 5 * Minute));
            ended = Math.Max(answered.Value, messageCount > 0 ? times[^1] : 0) + after;
        }
        var updated = ended + _random.NextInt64(30 * Second);

        // A conversation that would end after now is pressed into the time left.
        var room = _end - created - Second;
        long At(long offset) => created + (updated <= room ? offset : offset * room / updated);
        var firstResponse = Array.IndexOf(byAgent, true) is var first and >= 0 ? At(times[first]) : (long?)null;
        var agentId = agent >= 0 ? _agents[agent] : null;

        var c = w.Conversations;
        c.Text(TenantId);
        c.Text(id);
        c.Text(visitor.ChannelId);
        c.Text(account);
        c.Text(visitor.Id);
        c.Text("Online");
        c.Text(group);
        c.Text(agentId);
        c.Text(visitor.Region);
        c.Text(nameof(ConversationStatus.Completed));
        c.BigInt(created);
        c.BigInt(At(queued));
        c.BigInt(offered is { } o ? At(o) : null);
        c.BigInt(answered is { } a ? At(a) : null);
        c.BigInt(firstResponse);
        c.BigInt(At(ended));
        c.Text(endReason);
        c.BigInt(At(updated));
        c.SmallInt(1);
        c.EndRow();

        var m = w.Messages;
        for (var i = 0; i < messageCount; i++)
        {
            var image = _random.Next(33) == 0;
            m.Text(id);
            m.Integer(i + 1);
            m.Text(TenantId);
            m.Text(byAgent[i] ? "agent" : "visitor");
            m.Text(byAgent[i] ? agentId : null);
            m.Text(image ? "image" : "text");
            m.Text(image ? "/media/" + NewId() + NewId() : byAgent[i] ? HistoryTexts.Agent(_random, _nicknames[agent]) : HistoryTexts.Visitor(_random));
            m.BigInt(At(times[i]));
            m.EndRow();
        }

        Visit(w.Visits, id, visitor, created);
        if (_random.NextDouble() < 0.5)
        {
            // Someone who looked in around then: half of them never write at all.
            var browser = _random.Next(2) == 0 ? _browsers[_random.Next(_browsers.Length)] : _visitors[_random.Next(_visitors.Length)];
            Visit(w.Visits, NewId(), browser, Math.Clamp(created + _random.NextInt64(-20 * Minute, 20 * Minute), _start, _end - Second));
        }

        if (account is not null && agentId is not null && !_befriended[visitorIndex] && _random.NextDouble() < 0.015)
        {
            _befriended[visitorIndex] = true;
            var f = w.Friends;
            f.Text(TenantId);
            f.Text(account);
            f.Text(agentId);
            f.Text(visitor.Id);
            f.Text(visitor.ChannelId);
            f.BigInt(Math.Min(At(ended) + _random.NextInt64(Minute), _end - Second));
            f.EndRow();
        }
        return messageCount;
    }

    private void Visit(BulkWriter v, string id, Visitor visitor, long at)
    {
        v.Text(TenantId);
        v.Text(id);
        v.Text(visitor.Id);
        v.Text(visitor.ChannelId);
        v.Text(visitor.Account >= 0 ? _accounts[visitor.Account] : null);
        v.BigInt(at);
        v.SmallInt(1);
        v.EndRow();
    }

    /// <summary>
    /// A visitor: 55% through a marketing account's chat, the rest through the website, WeChat or the mini program
    /// towards a favourite skill group (the first groups busiest). Web chat ids are the browser's, WeChat's an open id.
    /// </summary>
    private Visitor NewVisitor()
    {
        var region = HistoryTexts.Regions[Weighted([.. HistoryTexts.Regions.Select(r => r.Weight)])].Name;
        if (_random.NextDouble() < 0.55)
        {
            var account = Weighted(AccountWeights);
            return new Visitor("web:" + NewId() + NewId(), _accounts[account], account, -1, region);
        }
        var group = Weighted([.. Enumerable.Range(1, _groups.Length).Select(g => 60 / g)]);
        var channel = _random.NextDouble() switch { < 0.5 => 0, < 0.85 => 1, _ => 2 };
        return new Visitor(channel == 0 ? "web:" + NewId() + NewId() : OpenId(), _channels[channel], -1, group, region);
    }

    /// <summary>A WeChat open id: 28 characters, 'o' first.</summary>
    private string OpenId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return string.Create(28, _random, static (chars, random) =>
        {
            chars[0] = 'o';
            for (var i = 1; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        });
    }

    private int Weighted(int[] weights)
    {
        var pick = _random.Next(weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            pick -= weights[i];
            if (pick < 0) return i;
        }
        return weights.Length - 1;
    }

    private string NewId()
    {
        Span<byte> bytes = stackalloc byte[8];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
