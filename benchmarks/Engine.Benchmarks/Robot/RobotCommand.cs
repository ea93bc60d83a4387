using System.Diagnostics;
using System.Text.Json;
using Engine.Benchmarks.Harness;
using Engine.Grains.Faq;
using Engine.Grains.Routing;

namespace Engine.Benchmarks.Robot;

/// <summary>
/// <c>robot</c>: the FAQ robot's answers (MK-4) from a tenant's index of <c>--entries</c> entries, asked
/// <c>--questions</c> questions by <c>--threads</c> callers at once, as the tenant's FAQ grain answers them. The entries
/// are the project's FAQ set (tests/Engine.Tests/Faq) and variants of it about other products and courses, so that the
/// index has the size and the vocabulary of a busy shop; the questions are the set's paraphrases and off-topic
/// questions, and the same about the variants' products.
/// </summary>
internal sealed class RobotCommand : IHarnessCommand
{
    public string Summary => "FAQ robot answers per second and latency from a tenant's index (Lucene.Net, in memory)";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("entries", OptionKind.Integer, "FAQ entries in the index", "5000"),
        new("questions", OptionKind.Integer, "questions to answer", "100000"),
        new("threads", OptionKind.Integer, "callers asking at once", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        HarnessOption.Json,
    ];

    private sealed record Entry(string Id, string Question, IReadOnlyList<string> SimilarQuestions, string Answer);

    private sealed record Probe(string Question, string Expected);

    private sealed record FaqSet(IReadOnlyList<Entry> Entries, IReadOnlyList<Probe> Tests, IReadOnlyList<string> OffTopic);

    /// <summary>What the variants are about: products and courses of a shop of books and lessons.</summary>
    private static readonly string[] Subjects =
    [
        "小学数学", "初中英语", "高中物理", "少儿编程", "钢琴入门", "书法练字", "考研政治", "雅思口语", "会计初级", "PS设计", "点读笔", "学习机",
        "绘本套装", "错题打印机", "作文课", "奥数思维", "日语N2", "Python进阶", "素描基础", "围棋启蒙",
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var (entries, questions, threads) = (options.GetInt("entries"), options.GetInt("questions"), Math.Max(1, options.GetInt("threads")));
        var set = JsonSerializer.Deserialize<FaqSet>(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "faq-set.json"), cancellationToken).ConfigureAwait(false),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var documents = Documents(set, entries);
        var asked = Questions(set, questions, entries);

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var build = Stopwatch.StartNew();
        using var index = new FaqIndex(documents);
        var buildMs = build.Elapsed.TotalMilliseconds;
        var indexMb = (GC.GetTotalMemory(forceFullCollection: true) - memoryBefore) / 1024.0 / 1024.0;
        var right = set.Tests.Count(p => index.Ask(p.Question).EntryId == p.Expected);
        foreach (var question in asked.Take(2_000)) index.Ask(question);

        var latencies = new double[asked.Length];
        var gen0 = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, (thread, _) =>
        {
            for (var i = thread; i < asked.Length; i += threads)
            {
                var started = Stopwatch.GetTimestamp();
                index.Ask(asked[i]);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        double Percentile(double p) => Math.Round(latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))], 3);
        var result = new RobotResult(
            entries, asked.Length, threads, Math.Round(asked.Length / seconds), Percentile(0.5), Percentile(0.99), Math.Round(latencies[^1], 3),
            Math.Round(buildMs), Math.Round(indexMb, 1), GC.CollectionCount(0) - gen0, $"{right}/{set.Tests.Count}");
        await HarnessOutput.WriteAsync("robot", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The set's entries, then variants of them about the subjects, until there are <paramref name="count"/>.</summary>
    private static List<FaqDocument> Documents(FaqSet set, int count)
    {
        var documents = set.Entries.Select(e => new FaqDocument(e.Id, [e.Question, .. e.SimilarQuestions], e.Answer)).ToList();
        for (var n = 0; documents.Count < count; n++)
        {
            var entry = set.Entries[n % set.Entries.Count];
            var subject = Subjects[n / set.Entries.Count % Subjects.Length] + (n / (set.Entries.Count * Subjects.Length) is var round and > 0 ? $"第{round}期" : "");
            documents.Add(new FaqDocument($"v{n}", [$"{subject}：{entry.Question}", .. entry.SimilarQuestions.Select(q => $"{subject}{q}")], $"【{subject}】{entry.Answer}"));
        }
        return documents;
    }

    /// <summary>The set's questions and off-topic ones, and the same about the variants' subjects, in a fixed shuffled order.</summary>
    private static string[] Questions(FaqSet set, int count, int entries)
    {
        var plain = set.Tests.Select(p => p.Question).Concat(set.OffTopic).ToArray();
        var random = new Random(2026);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var question = plain[random.Next(plain.Length)];
            return entries > set.Entries.Count && random.Next(2) == 0 ? Subjects[random.Next(Subjects.Length)] + question : question;
        })];
    }
}

internal sealed record RobotResult(
    int Entries, int Questions, int Threads, double AnswersPerSecond, double AnswerP50Ms, double AnswerP99Ms, double AnswerMaxMs,
    double IndexBuildMs, double IndexMemoryMb, int Gen0Collections, string SetTop1);
