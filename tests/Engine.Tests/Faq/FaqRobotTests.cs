using System.Text.Json;
using Engine.Grains.Faq;
using Engine.Grains.Routing;
using Engine.Marketing;
using Xunit.Abstractions;

namespace Engine.Tests.Faq;

/// <summary>
/// MK-4, MK-7: the robot answers from the FAQ. The set (faq-set.json) was written for the project: 30 entries of an
/// online education and book shop, paraphrased questions the way customers type them (none a copy of an entry's
/// questions), and off-topic questions the robot must not pretend to know.
/// </summary>
public sealed class FaqRobotTests(ITestOutputHelper output)
{
    private sealed record Entry(string Id, string Category, string Question, IReadOnlyList<string> SimilarQuestions, string Answer);

    private sealed record Probe(string Question, string Expected);

    private sealed record FaqSet(IReadOnlyList<Entry>? Entries, IReadOnlyList<Probe> Tests, IReadOnlyList<string> OffTopic);

    private static FaqSet Load(string file = "faq-set.json")
        => JsonSerializer.Deserialize<FaqSet>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Faq", file)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    private static FaqIndex IndexOf(FaqSet set) => new(set.Entries!.Select(e => new FaqDocument(e.Id, [e.Question, .. e.SimilarQuestions], e.Answer)));

    [Fact]
    public void MK4_The_robot_finds_the_right_entry_for_at_least_85_percent_of_paraphrased_questions()
    {
        var set = Load();
        Assert.True(set.Entries!.Count >= 30 && set.Tests.Count >= 60, "the set has at least 30 entries and 60 questions");
        using var index = IndexOf(set);
        var right = 0;
        foreach (var probe in set.Tests)
        {
            var answer = index.Ask(probe.Question);
            if (answer.EntryId == probe.Expected) right++;
            else output.WriteLine($"miss: {probe.Question} -> {answer.EntryId} ({answer.Confidence:0.00}), want {probe.Expected}");
        }
        var accuracy = (double)right / set.Tests.Count;
        output.WriteLine($"top-1 accuracy: {right}/{set.Tests.Count} = {accuracy:P1}");
        Assert.True(accuracy >= 0.85, $"top-1 accuracy {right}/{set.Tests.Count} = {accuracy:P1}");
    }

    /// <summary>
    /// A second set of 90 paraphrases and 15 off-topic questions, written after the robot was tuned by someone who saw only
    /// the entries: how the robot does on questions nobody tuned it for.
    /// </summary>
    [Fact]
    public void MK4_On_paraphrases_written_after_the_tuning_the_robot_still_finds_four_in_five()
    {
        var set = Load();
        var later = Load("faq-heldout.json");
        using var index = IndexOf(set);
        var right = later.Tests.Count(p => index.Ask(p.Question).EntryId == p.Expected);
        var unsure = later.OffTopic.Count(q => index.Ask(q).Confidence < RobotReplies.Threshold);
        output.WriteLine($"later set top-1: {right}/{later.Tests.Count} = {(double)right / later.Tests.Count:P1}; off-topic under the threshold: {unsure}/{later.OffTopic.Count}");
        Assert.True(right >= later.Tests.Count * 0.8, $"top-1 on the later set {right}/{later.Tests.Count}");
    }

    [Fact]
    public void MK4_The_robot_is_not_sure_of_off_topic_questions_and_says_it_does_not_know()
    {
        var set = Load();
        using var index = IndexOf(set);
        var unsure = set.OffTopic.Count(q => index.Ask(q).Confidence < RobotReplies.Threshold);
        foreach (var q in set.OffTopic) output.WriteLine($"{q}: {index.Ask(q).Confidence:0.00}");
        Assert.True(unsure >= set.OffTopic.Count * 0.8, $"{unsure}/{set.OffTopic.Count} off-topic questions under the threshold");
        Assert.Equal(RobotReplies.NotSureQueued, RobotReplies.Reply("答案", RobotReplies.Threshold - 0.01, RobotSituation.Queued));
        Assert.Equal("答案", RobotReplies.Reply("答案", RobotReplies.Threshold, RobotSituation.OffHours));
    }

    [Fact]
    public void MK4_Most_right_answers_are_given_with_confidence()
    {
        var set = Load();
        using var index = IndexOf(set);
        var answers = set.Tests.Select(p => (Probe: p, Answer: index.Ask(p.Question))).ToList();
        var right = answers.Where(a => a.Answer.EntryId == a.Probe.Expected).ToList();
        var confident = right.Count(a => a.Answer.Confidence >= RobotReplies.Threshold);
        var wrongButSure = answers.Count(a => a.Answer.EntryId != a.Probe.Expected && a.Answer.Confidence >= RobotReplies.Threshold);
        output.WriteLine($"right and confident: {confident}/{right.Count}; wrong but confident: {wrongButSure}/{answers.Count - right.Count}");
        Assert.True(confident >= right.Count * 0.8, $"{confident}/{right.Count} right answers over the threshold");
    }

    [Fact]
    public void MK7_The_index_follows_entries_as_they_are_added_edited_and_removed()
    {
        using var index = new FaqIndex([new FaqDocument("a", ["怎么开发票"], "在订单页申请开票。")]);
        Assert.Equal("a", index.Ask("发票怎么开").EntryId);
        index.Upsert(new FaqDocument("b", ["快递多久到"], "一般三天内送达。"));
        Assert.Equal(("b", "一般三天内送达。"), (index.Ask("包裹几天能到")!.EntryId, index.Ask("包裹几天能到").Answer));
        index.Upsert(new FaqDocument("b", ["快递多久到"], "一般两天内送达。"));
        Assert.Equal("一般两天内送达。", index.Ask("包裹几天能到").Answer);
        index.Remove("a");
        Assert.NotEqual("a", index.Ask("发票怎么开").EntryId);
        Assert.Equal(1, index.Count);
        Assert.Equal((null, 0.0), (index.Ask("？？").EntryId, index.Ask("？？").Confidence));
    }
}
