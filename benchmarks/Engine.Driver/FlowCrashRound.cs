using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Engine.Driver;

public sealed record FlowCrashOptions(int WebCustomers = 300, int Callers = 100, int Agents = 5, int ReceptionCap = 4);

/// <summary>
/// What one flow crash round found: how many customers stood where in their flows when the server was killed, and
/// after the restart how many carried on from there, how many found their flow begun again (a new conversation or the
/// greeting), how many got another answer than the module they stood at gives, and how many got an error.
/// </summary>
public sealed record FlowCrashResult(
    int Round, string Store, int AtMenu, int AtMenuAfterWrongAnswer, int HandedToGroup, int WithAgent, int CallersAtMenu, int CallersAfterWrongKey,
    int CarriedOn, int BegunAgain, int WrongAnswer, int Failed, double RecoverySeconds)
{
    public int Customers => AtMenu + AtMenuAfterWrongAnswer + HandedToGroup + WithAgent + CallersAtMenu + CallersAfterWrongKey;

    public bool Clean => CarriedOn == Customers && BegunAgain == 0 && WrongAnswer == 0 && Failed == 0;
}

/// <summary>
/// The real server with customers standing at every point of the two sample flows, reached through the inbound adapter
/// API: web chat customers at the menu, at the menu after a wrong answer, handed to the skill group (queued or
/// offered) or with an agent who answered just before the kill; callers at the IVR menu, before or after a wrong key. The server is killed with SIGKILL, started again on
/// the same store, and every customer's next event must carry on from the module they stood at: the same conversation,
/// and the answer that module gives (a caller with one wrong key already is hung up after two more, not three).
/// </summary>
public static class FlowCrashRound
{
    private enum Stage { AtMenu, AfterWrongAnswer, Handed, CallerAtMenu, CallerAfterWrongKey, WithAgent }

    /// <summary>A customer, where they stood, and (with an agent) the staff number of the agent who answered.</summary>
    private sealed record Customer(string Id, Stage Stage, string ConversationId, string? StaffNo = null);

    public static async Task<FlowCrashResult> RunAsync(int round, string storeKind, string? postgres, FlowCrashOptions options, string workDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDir);
        await using var store = await CrashStore.CreateAsync(storeKind, workDir, postgres, cancellationToken).ConfigureAwait(false);
        var settings = ContactCenter.ServerSettings.Concat(store.Settings).ToDictionary();
        var log = Path.Combine(workDir, $"flow-server-{storeKind}-{round}.log");

        ContactCenter center;
        FlowChannels channels;
        List<Customer> customers;
        Dictionary<string, string?> handedStatus;
        await using (var server = await EngineServer.StartAsync(settings, log, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false))
        using (var client = new EngineClient(server.Address))
        {
            center = await ContactCenter.SetUpAsync(server.Address, options.Agents, options.ReceptionCap, cancellationToken).ConfigureAwait(false);
            // The IVR's keypress timeout is made long, so that no deadline moves a caller on while the server is down.
            channels = await FlowChannels.SetUpAsync(client, center, ivrTimeoutSeconds: 600, cancellationToken).ConfigureAwait(false);
            customers = await StageAsync(client, channels, options, cancellationToken).ConfigureAwait(false);
            customers = await AnswerSomeAsync(client, center, customers, cancellationToken).ConfigureAwait(false);
            handedStatus = await StatusesAsync(client, center, customers.Where(c => c.Stage == Stage.Handed), cancellationToken).ConfigureAwait(false);
            await server.KillAsync().ConfigureAwait(false);
        }

        var restarted = Stopwatch.StartNew();
        await using var again = await EngineServer.StartAsync(settings, log, TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
        using var check = new EngineClient(again.Address);
        await check.GetAsync($"{center.Base}/skill-groups/{center.GroupId}", center.AdminToken, cancellationToken).ConfigureAwait(false);
        var recovery = restarted.Elapsed.TotalSeconds;

        int carriedOn = 0, begunAgain = 0, wrong = 0, failed = 0;
        var after = await StatusesAsync(check, center, customers.Where(c => c.Stage == Stage.Handed), cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            try
            {
                var verdict = await CarryOnAsync(check, channels, customer, ct).ConfigureAwait(false);
                if (verdict == Verdict.CarriedOn && customer.Stage == Stage.Handed && after[customer.ConversationId] != handedStatus[customer.ConversationId]) verdict = Verdict.WrongAnswer;
                if (verdict == Verdict.CarriedOn) Interlocked.Increment(ref carriedOn);
                else if (verdict == Verdict.BegunAgain) Interlocked.Increment(ref begunAgain);
                else Interlocked.Increment(ref wrong);
            }
            catch (EngineApiException)
            {
                Interlocked.Increment(ref failed);
            }
        }).ConfigureAwait(false);

        int Count(Stage stage) => customers.Count(c => c.Stage == stage);
        return new FlowCrashResult(round, storeKind, Count(Stage.AtMenu), Count(Stage.AfterWrongAnswer), Count(Stage.Handed), Count(Stage.WithAgent), Count(Stage.CallerAtMenu), Count(Stage.CallerAfterWrongKey),
            carriedOn, begunAgain, wrong, failed, Math.Round(recovery, 2));
    }

    private static async Task<List<Customer>> StageAsync(EngineClient client, FlowChannels channels, FlowCrashOptions options, CancellationToken cancellationToken)
    {
        var staged = new System.Collections.Concurrent.ConcurrentBag<Customer>();
        var web = Enumerable.Range(0, options.WebCustomers).Select(i => (Id: $"web-{i}", Stage: (Stage)(i % 3)));
        var phone = Enumerable.Range(0, options.Callers).Select(i => (Id: $"+86139{i:D8}", Stage: i % 2 == 0 ? Stage.CallerAtMenu : Stage.CallerAfterWrongKey));
        await Parallel.ForEachAsync(web.Concat(phone), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            var (key, token) = customer.Stage is Stage.CallerAtMenu or Stage.CallerAfterWrongKey ? (channels.PhoneKey, channels.PhoneToken) : (channels.WebKey, channels.WebToken);
            object[] events = customer.Stage switch
            {
                Stage.AtMenu => [Message(customer.Id, "你好")],
                Stage.AfterWrongAnswer => [Message(customer.Id, "你好"), Message(customer.Id, "随便")],
                Stage.Handed => [Message(customer.Id, "你好"), Message(customer.Id, "1")],
                Stage.CallerAtMenu => [new { type = "callStarted", customerId = customer.Id }],
                _ => [new { type = "callStarted", customerId = customer.Id }, Digits(customer.Id, "9")],
            };
            JsonNode? answer = null;
            foreach (var e in events) answer = await client.PostAsync($"api/v1/channels/{key}/events", token, e, ct).ConfigureAwait(false);
            staged.Add(new Customer(customer.Id, customer.Stage, (string)answer!["conversationId"]!));
        }).ConfigureAwait(false);
        return [.. staged];
    }

    /// <summary>Every agent answers one of the offers ringing at them: those customers are with an agent at the kill.</summary>
    private static async Task<List<Customer>> AnswerSomeAsync(EngineClient client, ContactCenter center, List<Customer> customers, CancellationToken cancellationToken)
    {
        var answered = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(center.Agents.Select((agent, i) => (agent.Token, StaffNo: ContactCenter.StaffNo(i))), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (agent, ct) =>
        {
            var offers = (await client.GetAsync($"{center.Base}/me/offers", agent.Token, ct).ConfigureAwait(false))!.AsArray();
            if (offers.FirstOrDefault() is not { } offer) return;
            var conversationId = (string)offer["conversationId"]!;
            await client.PostAsync($"{center.Base}/conversations/{conversationId}/answer", agent.Token, null, ct).ConfigureAwait(false);
            answered[conversationId] = agent.StaffNo;
        }).ConfigureAwait(false);
        return [.. customers.Select(c => answered.TryGetValue(c.ConversationId, out var staffNo) ? c with { Stage = Stage.WithAgent, StaffNo = staffNo } : c)];
    }

    private enum Verdict { CarriedOn, BegunAgain, WrongAnswer }

    /// <summary>The customer's next event, and whether the answer is the one of the module they stood at.</summary>
    private static async Task<Verdict> CarryOnAsync(EngineClient client, FlowChannels channels, Customer customer, CancellationToken cancellationToken)
    {
        async Task<JsonNode> Send(object e)
        {
            var (key, token) = customer.Stage is Stage.CallerAtMenu or Stage.CallerAfterWrongKey ? (channels.PhoneKey, channels.PhoneToken) : (channels.WebKey, channels.WebToken);
            return (await client.PostAsync($"api/v1/channels/{key}/events", token, e, cancellationToken).ConfigureAwait(false))!;
        }

        var answer = customer.Stage switch
        {
            Stage.AtMenu => await Send(Message(customer.Id, "1")).ConfigureAwait(false),
            Stage.AfterWrongAnswer => await Send(Message(customer.Id, "还是不懂")).ConfigureAwait(false),
            Stage.Handed or Stage.WithAgent => await Send(Message(customer.Id, "还在排队吗？")).ConfigureAwait(false),
            _ => await Send(Digits(customer.Id, "9")).ConfigureAwait(false),
        };
        if ((string)answer["conversationId"]! != customer.ConversationId || Texts(answer).Contains("您好，欢迎光临！") || Texts(answer).Contains("您好，欢迎致电。"))
            return Verdict.BegunAgain;
        var status = (string)answer["status"]!;
        var carriedOn = customer.Stage switch
        {
            // The menu takes the answer: handed to 产品咨询 (queued, or offered at once).
            Stage.AtMenu => status == "queued",
            // Still at the menu: the invalid-input prompt, nothing else.
            Stage.AfterWrongAnswer => status == "inFlow" && Texts(answer).SequenceEqual(["抱歉没有听懂，请回复 1 或 2"]),
            // With the group: the text goes to the conversation, the flow says nothing.
            Stage.Handed => status is "queued" or "connected" && Texts(answer).Count == 0,
            // With the agent who answered: the text goes to them, and the answer names them.
            Stage.WithAgent => status == "connected" && Texts(answer).Count == 0 && (string?)answer["agent"]?["staffNo"] == customer.StaffNo,
            // A second wrong key of three: the prompt and the menu again.
            Stage.CallerAtMenu => status == "inFlow" && Texts(answer).SequenceEqual(["输入有误", "产品咨询请按 1，商务合作请按 2"]),
            // The second wrong key of three, then the third hangs up: the count of the first one was kept.
            _ => status == "inFlow" && (string?)(await Send(Digits(customer.Id, "9")).ConfigureAwait(false))["endReason"] == "tooManyInvalidInputs",
        };
        return carriedOn ? Verdict.CarriedOn : Verdict.WrongAnswer;
    }

    private static async Task<Dictionary<string, string?>> StatusesAsync(EngineClient client, ContactCenter center, IEnumerable<Customer> customers, CancellationToken cancellationToken)
    {
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>();
        await Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            var conversation = await client.GetAsync($"{center.Base}/conversations/{customer.ConversationId}", center.AdminToken, ct).ConfigureAwait(false);
            statuses[customer.ConversationId] = $"{ContactCenter.Text(conversation, "status")} {ContactCenter.Text(conversation, "agentId")}";
        }).ConfigureAwait(false);
        return statuses.ToDictionary();
    }

    private static object Message(string customerId, string text) => new { type = "message", customerId, text };

    private static object Digits(string customerId, string digits) => new { type = "digits", customerId, digits };

    private static List<string> Texts(JsonNode answer) => [.. answer["replies"]!.AsArray().Select(r => (string?)r!["text"] ?? "")];
}

/// <summary>
/// The two sample flows of <c>docs/flows</c> published on a <see cref="ContactCenter"/> and bound to channels: the online
/// sample's 产品咨询 is the center's group (its agents online), 商务合作 a group of nobody; the IVR's 热线 a phone group of nobody.
/// </summary>
public sealed record FlowChannels(string WebKey, string WebToken, string PhoneKey, string PhoneToken)
{
    public static async Task<FlowChannels> SetUpAsync(EngineClient client, ContactCenter center, int? ivrTimeoutSeconds, CancellationToken cancellationToken)
    {
        var business = (string)(await client.PostAsync($"{center.Base}/skill-groups", center.AdminToken, new { name = "商务合作", mode = "online", receptionCap = 1 }, cancellationToken).ConfigureAwait(false))!["id"]!;
        var hotline = (string)(await client.PostAsync($"{center.Base}/skill-groups", center.AdminToken, new { name = "热线", mode = "phone" }, cancellationToken).ConfigureAwait(false))!["id"]!;
        var groups = new Dictionary<string, string> { ["group:产品咨询"] = center.GroupId, ["group:商务合作"] = business, ["group:热线"] = hotline };
        var online = await PublishAsync(client, center, Sample("online-sample.json", groups), cancellationToken).ConfigureAwait(false);
        var ivrFlow = Sample("ivr-sample.json", groups);
        if (ivrTimeoutSeconds is { } seconds)
        {
            foreach (var module in ivrFlow["modules"]!.AsArray().Where(m => (string)m!["type"]! == "branch")) module!["timeoutSeconds"] = seconds;
        }
        var ivr = await PublishAsync(client, center, ivrFlow, cancellationToken).ConfigureAwait(false);
        var web = await client.PostAsync($"{center.Base}/channels", center.AdminToken, new { kind = "website", name = "官网", domain = "shop.example.com", flowId = online }, cancellationToken).ConfigureAwait(false);
        var phone = await client.PostAsync($"{center.Base}/channels", center.AdminToken, new { kind = "phone", name = "热线", number = "4001234567", direction = "inbound", flowId = ivr }, cancellationToken).ConfigureAwait(false);
        return new FlowChannels((string)web!["channel"]!["channelKey"]!, (string)web["token"]!, (string)phone!["channel"]!["channelKey"]!, (string)phone["token"]!);
    }

    /// <summary>A sample flow of <c>docs/flows</c>, its <c>group:NAME</c> placeholders replaced by the groups' ids.</summary>
    public static JsonObject Sample(string fileName, IReadOnlyDictionary<string, string> groups)
    {
        var json = File.ReadAllText(EngineServer.RepositoryFile(Path.Combine("docs", "flows", fileName)));
        foreach (var (placeholder, id) in groups) json = json.Replace(placeholder, id, StringComparison.Ordinal);
        return JsonNode.Parse(json)!.AsObject();
    }

    private static async Task<string> PublishAsync(EngineClient client, ContactCenter center, JsonObject flow, CancellationToken cancellationToken)
    {
        flow["publish"] = true;
        var created = await client.PostAsync($"{center.Base}/flows", center.AdminToken, flow, cancellationToken).ConfigureAwait(false);
        return (string)created!["id"]!;
    }
}
