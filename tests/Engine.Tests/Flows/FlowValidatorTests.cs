using Engine.Flows;
using Engine.Routing;

namespace Engine.Tests.Flows;

/// <summary>FL-1..FL-5 publish checks: each sample passes; one failing flow per problem, naming its module and field; every problem at once.</summary>
public sealed class FlowValidatorTests
{
    [Fact]
    public void FL1_Both_sample_flows_pass()
    {
        Assert.Empty(FlowSamples.Online.Problems());
        Assert.Empty(FlowSamples.Ivr.Problems());
    }

    /// <summary>A flow with exactly one problem, the module it must be reported on (null: the flow), and the field.</summary>
    private static readonly Dictionary<string, (FlowDocument Flow, string? Module, string Field)> Cases = new()
    {
        ["no start"] = (FlowSamples.Online.Without("start"), null, "modules"),
        ["two starts"] = (FlowSamples.Online.Plus(new StartModule("start2", "开始 2", "welcome")), "start2", "type"),
        ["unreachable module"] = (FlowSamples.Online.Plus(new MessageModule("orphan", "孤立", "没人到这里", "end")), "orphan", "id"),
        ["path without end"] = (FlowSamples.Online.With("welcome", m => ((MessageModule)m) with { Next = null }), "welcome", "next"),
        ["connection to nothing"] = (FlowSamples.Online.With("welcome", m => ((MessageModule)m) with { Next = "nowhere" }), "welcome", "next"),
        ["branch without keywords"] = (FlowSamples.Online.With("menu", m => Branch(m) with { Options = [Branch(m).Options[0], Branch(m).Options[1] with { Keywords = [] }] }), "menu", "options[1].keywords"),
        ["branch without options"] = (FlowSamples.Online.With("menu", m => Branch(m) with { Options = [] }).Without("to-products").Without("to-business").Without("end"), "menu", "options"),
        ["keyword used twice"] = (FlowSamples.Online.With("menu", m => Branch(m) with { Options = [Branch(m).Options[0], Branch(m).Options[1] with { Keywords = ["2", "１"] }] }), "menu", "options[1].keywords"),
        ["transfer to a missing group"] = (FlowSamples.Online.With("to-products", m => ((TransferModule)m) with { SkillGroupId = "g-gone" }), "to-products", "skillGroupId"),
        ["transfer to a group of another mode"] = (FlowSamples.Online.With("to-products", m => ((TransferModule)m) with { SkillGroupId = "g-hotline" }), "to-products", "skillGroupId"),
        ["empty message"] = (FlowSamples.Online.With("welcome", m => ((MessageModule)m) with { Text = "  " }), "welcome", "text"),
        ["missing message"] = (FlowSamples.Online.With("welcome", m => ((MessageModule)m) with { Text = null }), "welcome", "text"),
        ["empty label"] = (FlowSamples.Online.With("welcome", m => ((MessageModule)m) with { Label = "" }), "welcome", "label"),
        ["play audio with a missing file"] = (FlowSamples.Ivr.With("welcome", m => ((MessageModule)m) with { Text = null, AudioFileId = "audio-gone" }), "welcome", "audioFileId"),
        ["play audio with an unapproved file"] = (FlowSamples.Ivr.With("welcome", m => ((MessageModule)m) with { AudioFileId = "audio-unreviewed" }), "welcome", "audioFileId"),
        ["play audio with nothing to play"] = (FlowSamples.Ivr.With("welcome", m => ((MessageModule)m) with { Text = null }), "welcome", "audioFileId"),
        ["phone branch without a timeout"] = (FlowSamples.Ivr.With("menu", m => Branch(m) with { TimeoutSeconds = null }), "menu", "timeoutSeconds"),
        ["phone branch without a most invalid inputs"] = (FlowSamples.Ivr.With("menu", m => Branch(m) with { MaxInvalidInputs = null }), "menu", "maxInvalidInputs"),
        ["timeout on an online branch"] = (FlowSamples.Online.With("menu", m => Branch(m) with { TimeoutSeconds = 10 }), "menu", "timeoutSeconds"),
        ["transfer not followed by an end"] = (FlowSamples.Online.With("to-products", m => ((TransferModule)m) with { Next = "menu" }), "to-products", "next"),
        ["loop without a branch"] = (FlowSamples.Online.With("welcome", m => ((MessageModule)m) with { Next = "again" })
            .Plus(new MessageModule("again", "再说一遍", "您好", "welcome")), "welcome", "next"),
        ["a phone end with settings"] = (FlowSamples.Ivr.With("end", m => ((EndModule)m) with { ReplyTimeoutSeconds = 60 }), "end", "replyTimeoutSeconds"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void FL1_to_FL5_A_flow_with_one_problem_is_refused_naming_the_module_and_field(string name)
    {
        var (flow, module, field) = Cases[name];
        var problems = flow.Problems();
        Assert.Contains(problems, p => p.ModuleId == module && p.Field == field);
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
    }

    [Fact]
    public void FL1_Every_problem_is_reported_at_once_each_on_its_module()
    {
        var flow = FlowSamples.Online
            .With("welcome", m => ((MessageModule)m) with { Text = "" })
            .With("to-business", m => ((TransferModule)m) with { SkillGroupId = "g-hotline" })
            .With("menu", m => Branch(m) with { InvalidPrompt = null })
            .Plus(new StartModule("start2", "again", "welcome"));
        var problems = flow.Problems();
        Assert.Equal(
            [("menu", "invalidPrompt"), ("start2", "type"), ("to-business", "skillGroupId"), ("welcome", "text")],
            problems.Select(p => (p.ModuleId!, p.Field)).Order().ToArray());
    }

    [Fact]
    public void FL3_Keywords_match_trimmed_without_case_and_full_width_as_half_width()
    {
        var branch = new BranchModule("b", "b", "p", "i",
            [new BranchOption("one", ["1", "咨询"], "x"), new BranchOption("ab", ["AB"], "y")]);
        Assert.Equal("one", Keywords.Match(branch, " １ ")?.Name);
        Assert.Equal("one", Keywords.Match(branch, "咨询")?.Name);
        Assert.Equal("ab", Keywords.Match(branch, "ａｂ")?.Name);
        Assert.Equal("ab", Keywords.Match(branch, "\u3000Ab\u3000")?.Name);
        Assert.Null(Keywords.Match(branch, "12"));
        Assert.Null(Keywords.Match(branch, "   "));
    }

    [Fact]
    public void FL6_The_flow_document_reads_the_type_of_a_module_wherever_it_stands()
    {
        var document = FlowJson.ReadDocument("""
            {"name":"x","mode":"omni","modules":[{"id":"s","label":"S","next":"e","type":"start"},{"type":"end","id":"e","label":"E"}]}
            """);
        Assert.Equal(ServiceMode.Omni, document.Mode);
        Assert.IsType<StartModule>(document.Modules[0]);
        Assert.Empty(FlowValidator.Validate(document.Mode, document.Definition, FlowSamples.Groups));
        Assert.Equal(FlowJson.Write(document.Definition), FlowJson.Write(FlowJson.ReadDefinition(FlowJson.Write(document.Definition))));
    }

    private static BranchModule Branch(FlowModule module) => (BranchModule)module;
}
