using Engine.Benchmarks.Harness;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>
/// <c>e2e</c>: a running server (or a cluster's servers) driven as customers and agents drive it: a tenant set up
/// over REST with the operator's credentials, agents on the workbench hub, web chat visitors on the visitor hub,
/// and the time from a visitor's message to its push at the agent's workbench.
/// </summary>
internal sealed class EndToEndCommand : IHarnessCommand
{
    public const string OperatorEmailVariable = "Engine__Operator__Email";
    public const string OperatorPasswordVariable = "Engine__Operator__Password";

    /// <summary>The highest reception cap the skill group API takes.</summary>
    private const int MaxReceptionCap = 100;

    public string Summary => "a running server end to end over REST and SignalR: visitors' messages to the agents' workbenches per second, latency, lost";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("url", OptionKind.Text, "the running server; a cluster's servers as several --url (or separated by commas), connections round robin; the operator comes from Engine__Operator__Email and Engine__Operator__Password; start the server with Engine__Chat__HubRequestsPerMinute=0", Placeholder: "URL", Repeatable: true),
        new("agents", OptionKind.Integer, "agents, each connected to the workbench hub and online", "1000"),
        new("visitors", OptionKind.Integer, "web chat visitors, each with one conversation answered by an agent", "2000"),
        new("agents-per-group", OptionKind.Integer, "agents in each online skill group; each group has its own flow and website channel", "100"),
        new("cap", OptionKind.Integer, "reception cap of every group: conversations one agent holds at once", "5"),
        HarnessOption.Seconds(30),
        new("rate", OptionKind.Number, "visitors' messages per second in all, spread over the visitors; 0 = each visitor's next as soon as the last Send returned", "0", AllowZero: true),
        new("connect-parallel", OptionKind.Integer, "connections (and first messages) opened at once", "50"),
        new("warmup-timeout", OptionKind.Number, "seconds to wait for every visitor's conversation to be answered", "120"),
        new("drain", OptionKind.Number, "seconds to wait after the window for messages still on their way", "10", AllowZero: true),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        E2eSettings settings;
        try
        {
            settings = Settings(options);
        }
        catch (UsageException e)
        {
            // Found after parsing (the environment, options checked together): told as a usage error, exit code 2.
            Console.Error.WriteLine($"e2e: {e.Message}");
            return 2;
        }
        E2eResult result;
        try
        {
            result = await E2eRun.RunAsync(settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or Driver.EngineApiException)
        {
            // The set-up over REST failed (no server there, the operator's credentials refused): nothing to measure.
            Console.Error.WriteLine($"e2e: setting up the tenant failed: {e.Message}");
            return 1;
        }
        await HarnessOutput.WriteAsync("e2e", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        // Nothing measured (no conversation answered, or no message arrived in the window) is a failed run.
        return result.VisitorsMeasured > 0 && result.MessagesArrivedInWindow > 0 ? 0 : 1;
    }

    private static E2eSettings Settings(ParsedOptions options)
    {
        var servers = Servers(options.GetText("url"));
        var email = Environment.GetEnvironmentVariable(OperatorEmailVariable);
        var password = Environment.GetEnvironmentVariable(OperatorPasswordVariable);
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password))
            throw new UsageException($"e2e signs in as the platform operator: set {OperatorEmailVariable} and {OperatorPasswordVariable} as the server has them");
        var settings = new E2eSettings(
            servers, email, password,
            options.GetInt("agents"),
            options.GetInt("visitors"),
            options.GetInt("agents-per-group"),
            options.GetInt("cap"),
            options.GetSeconds("seconds"),
            options.GetDouble("rate"),
            options.GetInt("connect-parallel"),
            options.GetSeconds("warmup-timeout"),
            options.GetSeconds("drain"));
        Check(settings);
        return settings;
    }

    private static List<Uri> Servers(string? urls)
    {
        if (urls is null) throw new UsageException("--url is required: the running server (or servers, separated by commas)");
        var servers = new List<Uri>();
        foreach (var url in urls.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
                throw new UsageException($"--url needs http:// or https:// addresses, not '{url}'");
            servers.Add(server);
        }
        return servers.Count > 0 ? servers : throw new UsageException("--url needs at least one address");
    }

    /// <summary>Every group must be able to hold its visitors at once, or the warm-up never ends.</summary>
    private static void Check(E2eSettings settings)
    {
        if (settings.Cap > MaxReceptionCap) throw new UsageException($"--cap is at most {MaxReceptionCap}");
        var smallestGroup = settings.Agents / settings.Groups;
        var largestShare = (settings.Visitors + settings.Groups - 1) / settings.Groups;
        if ((long)smallestGroup * settings.Cap < largestShare)
            throw new UsageException($"{settings.Visitors} visitors over {settings.Groups} groups of {smallestGroup}+ agents at cap {settings.Cap} leave some unanswered: raise --cap or --agents");
    }
}

internal sealed record E2eSettings(
    IReadOnlyList<Uri> Servers,
    string OperatorEmail,
    string OperatorPassword,
    int Agents,
    int Visitors,
    int AgentsPerGroup,
    int Cap,
    TimeSpan Seconds,
    double Rate,
    int ConnectParallelism,
    TimeSpan WarmUpTimeout,
    TimeSpan Drain)
{
    public int Groups => (Agents + AgentsPerGroup - 1) / AgentsPerGroup;
}

/// <summary>The figures of one run; <c>--json</c> writes them as they are named here, in camelCase.</summary>
internal sealed record E2eResult(
    string CommandLine,
    IReadOnlyList<string> Urls,
    int E2eConnections,
    double MessagesPerSecond,
    double VisitorToAgentP50Ms,
    double VisitorToAgentP90Ms,
    double VisitorToAgentP99Ms,
    double VisitorToAgentMaxMs,
    long MessagesLost,
    string Pacing,
    double AcknowledgedPerSecond,
    long MessagesSent,
    long MessagesAcknowledged,
    long MessagesArrived,
    long MessagesArrivedInWindow,
    long MessagesUnacknowledged,
    long SendErrors,
    long UnmatchedArrivals,
    double SendAckP50Ms,
    double SendAckP99Ms,
    int Agents,
    int Visitors,
    int AgentsConnected,
    int VisitorsConnected,
    int VisitorsMeasured,
    int Groups,
    int Cap,
    double Seconds,
    double SetUpSeconds,
    double ConnectSeconds,
    double WarmUpSeconds,
    double DrainSeconds,
    long ConnectErrors,
    long ConnectsRateLimited,
    long OffersRinging,
    long AnswerErrors,
    long OffersWithdrawn,
    long ConversationsEnded,
    long Disconnects,
    double HarnessCpuUtilization,
    string? FirstError);
